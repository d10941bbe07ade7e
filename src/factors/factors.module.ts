import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/index.js';
import { AuditModule } from '../audit/index.js';
import { IdentityModule } from '../identity/index.js';
import { PolicyModule } from '../policy/index.js';
import { BackupCodesController } from './backup-codes.controller.js';
import { BackupCodes } from './backup-codes/backup-codes.js';
import { BackupCodeHasher } from './backup-codes/backup-code-hasher.js';
import { RegenerateBackupCodesHandler } from './commands/regenerate-backup-codes.handler.js';
import { MfaOverviewReader } from './mfa-overview.js';
import { FactorHousekeeping } from './factor-housekeeping.js';
import { EnrollTotpHandler } from './commands/enroll-totp.handler.js';
import { ReencryptFactorSecretsHandler } from './commands/reencrypt-factor-secrets.handler.js';
import { VerifyFactorHandler } from './commands/verify-factor.handler.js';
import { EmailFactorModule } from './email/email-factor.module.js';
import { MfaResetModule } from './mfa-reset/mfa-reset.module.js';
import { secretBoxProvider } from '../common/crypto/secret-box.provider.js';
import { FactorSecrets } from './factor-secrets.js';
import { FactorsController } from './factors.controller.js';
import { MfaFailureStreaks } from './verification/mfa-failure-streaks.js';
import { MfaVerificationThrottle } from './verification/mfa-verification-throttle.js';
import { RefusalAuditGate } from './verification/refusal-audit-gate.js';
import { SecondFactorRefusals } from './verification/second-factor-refusals.js';
import { OutboxModule } from '../infra/outbox/outbox.module.js';
import { RemoveFactorHandler } from './commands/remove-factor.handler.js';
import { RenameFactorHandler } from './commands/rename-factor.handler.js';
import { FactorRemovalController } from './factor-removal.controller.js';
import { RemovalProof } from './removal-proof.js';
import { TotpVerifier } from './totp/totp-verifier.js';
import { EnrollPasskeyHandler } from './webauthn/commands/enroll-passkey.handler.js';
import { PasskeyAssertions } from './webauthn/passkey-assertions.js';
import { PasskeyCloneAlarm } from './webauthn/passkey-clone-alarm.js';
import { PasskeyRegistration } from './webauthn/passkey-registration.js';
import { RelyingParty } from './webauthn/relying-party.js';

@Module({
  imports: [AuditModule, IdentityModule, EmailFactorModule, MfaResetModule, PolicyModule, SessionsModule, OutboxModule],
  controllers: [FactorsController, BackupCodesController, FactorRemovalController],
  providers: [
    secretBoxProvider,
    FactorSecrets,
    TotpVerifier,
    BackupCodes,
    BackupCodeHasher,
    RegenerateBackupCodesHandler,
    MfaOverviewReader,
    FactorHousekeeping,
    EnrollTotpHandler,
    VerifyFactorHandler,
    ReencryptFactorSecretsHandler,
    RemoveFactorHandler,
    RenameFactorHandler,
    RemovalProof,
    RelyingParty,
    PasskeyRegistration,
    PasskeyAssertions,
    PasskeyCloneAlarm,
    EnrollPasskeyHandler,
    // The limits on guessing a second factor: the login challenge and the step-up (auth) use them too.
    MfaVerificationThrottle,
    MfaFailureStreaks,
    SecondFactorRefusals,
    RefusalAuditGate,
  ],
  exports: [
    TotpVerifier,
    RelyingParty,
    PasskeyAssertions,
    PasskeyCloneAlarm,
    BackupCodes,
    MfaOverviewReader,
    FactorHousekeeping,
    RemovalProof,
    EmailFactorModule,
    MfaVerificationThrottle,
    MfaFailureStreaks,
    SecondFactorRefusals,
    RefusalAuditGate,
  ],
})
export class FactorsModule {}
