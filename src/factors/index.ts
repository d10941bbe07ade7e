export { BackupCode } from './backup-codes/backup-code.entity.js';
export { BackupCodes } from './backup-codes/backup-codes.js';
export { isDegraded } from './backup-codes/degraded-session.js';
export { type ReencryptedBatch, ReencryptFactorSecretsCommand } from './commands/reencrypt-factor-secrets.command.js';
export { DeliverEmailCodeCommand } from './email/commands/deliver-email-code.command.js';
export { EmailCodes } from './email/email-codes.js';
export { BackupCodesRegeneratedEvent } from './events/backup-code.events.js';
export { FactorRemovedEvent } from './events/factor-removed.event.js';
export { FactorEnrolledEvent } from './events/factor.events.js';
export { SecondFactorRefusedEvent } from './events/second-factor-refused.event.js';
export { FactorHousekeeping } from './factor-housekeeping.js';
export { Factor } from './factor.entity.js';
export {
  type FactorInventory,
  factorInventoryColumns,
  factorInventoryFrom,
  factorInventoryOf,
  type FactorInventoryRow,
} from './factor-inventory.js';
export { FACTORS_ENTITIES } from './factors.entities.js';
export { codeAlreadyUsed, mfaCodeInvalid, passkeyRefused } from './factors.errors.js';
export { FactorsModule } from './factors.module.js';
export { forgetTenantFactors, usersWithActiveFactors } from './forget-tenant-factors.js';
export { type MfaOverview, mfaOverviewOf, MfaOverviewReader } from './mfa-overview.js';
export { DeliverMfaResetLinkCommand } from './mfa-reset/commands/deliver-mfa-reset-link.command.js';
export { MfaResetCompletedEvent } from './mfa-reset/mfa-reset.events.js';
export { type ProofSubject, RemovalProof } from './removal-proof.js';
export { TotpVerifier } from './totp/totp-verifier.js';
export { CHALLENGE_TTL_MS, type ChallengeSubject } from './verification/challenge-subject.js';
export { MfaFailureStreaks } from './verification/mfa-failure-streaks.js';
export { MfaVerificationThrottle } from './verification/mfa-verification-throttle.js';
export { RefusalAuditGate } from './verification/refusal-audit-gate.js';
export { SecondFactorRefusals } from './verification/second-factor-refusals.js';
export { RegenerateBackupCodesCommand } from './commands/regenerate-backup-codes.command.js';
export { RemoveFactorCommand } from './commands/remove-factor.command.js';
export { MFA_RESET_TOKEN_PREFIX } from './mfa-reset/commands/deliver-mfa-reset-link.handler.js';
export { OpenMfaResetCommand } from './mfa-reset/commands/open-mfa-reset.command.js';
export { RequestMfaResetCommand } from './mfa-reset/commands/request-mfa-reset.command.js';
export { EnrollTotpCommand } from './commands/enroll-totp.command.js';
export { type FactorVerification, VerifyFactorCommand } from './commands/verify-factor.command.js';
export { EnrollEmailFactorCommand } from './email/commands/enroll-email-factor.command.js';
export { EMAIL_CODE_RESEND_MS } from './email/email-code.entity.js';
export { EnrollPasskeyCommand, type PasskeyEnrollment } from './webauthn/commands/enroll-passkey.command.js';
export {
  type AuthenticationResponse,
  authenticationResponseSchema,
  type RegistrationResponse,
  registrationResponseSchema,
} from '../common/webauthn-json.js';
export { type AssertionSite, PasskeyAssertions, type VerifiedAssertion } from './webauthn/passkey-assertions.js';
export { PasskeyCloneAlarm } from './webauthn/passkey-clone-alarm.js';
export { PasskeyCloneSuspectedEvent } from './webauthn/passkey-clone.events.js';
export { RelyingParty } from './webauthn/relying-party.js';
export { type FactorProof } from './commands/verify-factor.command.js';
export { RenameFactorCommand, type RenamedFactor } from './commands/rename-factor.command.js';
export { FactorRenamedEvent } from './events/factor-renamed.event.js';
export { type RemovalProofInput } from './dto/remove-factor.schema.js';
