import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { EnrollTotpHandler } from './commands/enroll-totp.handler.js';
import { ReencryptFactorSecretsHandler } from './commands/reencrypt-factor-secrets.handler.js';
import { VerifyFactorHandler } from './commands/verify-factor.handler.js';
import { FactorSecrets, secretBoxProvider } from './factor-secrets.js';
import { FactorsController } from './factors.controller.js';
import { TotpVerifier } from './totp/totp-verifier.js';

@Module({
  imports: [AuditModule, IdentityModule],
  controllers: [FactorsController],
  providers: [
    secretBoxProvider,
    FactorSecrets,
    TotpVerifier,
    EnrollTotpHandler,
    VerifyFactorHandler,
    ReencryptFactorSecretsHandler,
  ],
  exports: [TotpVerifier],
})
export class FactorsModule {}
