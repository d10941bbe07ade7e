import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { FactorsModule } from '../factors/factors.module.js';
import { ChangeMfaPolicyHandler } from './commands/change-mfa-policy.handler.js';
import { MfaPolicyController } from './mfa-policy.controller.js';
import { PolicyStoreModule } from './policy-store.module.js';
import { MfaStatusReader } from './mfa-status.js';
import { MfaScopeOnUserChange } from './mfa-scope.handler.js';

/** The tenant MFA policy: its versions, the admin routes that save and read them. */
@Module({
  imports: [AuditModule, FactorsModule, PolicyStoreModule],
  controllers: [MfaPolicyController],
  providers: [ChangeMfaPolicyHandler, MfaStatusReader, MfaScopeOnUserChange],
  exports: [MfaStatusReader],
})
export class PolicyModule {}
