import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { AuthModule } from '../auth/index.js';
import { ComplianceModule } from '../compliance/index.js';
import { FactorsModule } from '../factors/index.js';
import { IdentityModule } from '../identity/index.js';
import { PolicyModule } from '../policy/index.js';
import { ActivityPages } from './activity.pages.js';
import { ApiKeysPages } from './admin/api-keys.pages.js';
import { NewApiKeyReveal } from './admin/api-keys-reveal.js';
import { AuditPages } from './admin/audit.pages.js';
import { AuditSinkFormPages } from './admin/audit-sink-form.pages.js';
import { AuditStreamPages } from './admin/audit-stream.pages.js';
import { NewSinkSecretReveal } from './admin/sink-secret-reveal.js';
import { AuditVerification } from './admin/audit-verification.js';
import { ConsoleLandingPages } from './admin/console-landing.pages.js';
import { DevicesPages } from './admin/devices.pages.js';
import { PolicyPages } from './admin/policy.pages.js';
import { UserPages } from './admin/user.pages.js';
import { UsersPages } from './admin/users.pages.js';
import { AssetsController } from './assets.controller.js';
import { BackupCodesRegeneratePages } from './backup-codes-regenerate.pages.js';
import { FactorRemovalPages } from './factor-removal.pages.js';
import { BackupCodesPages } from './backup-codes.pages.js';
import { EnrolmentCookies } from './enrolment-cookies.js';
import { EmailEnrolmentPages } from './enrolment-email.pages.js';
import { EnrolmentViews } from './enrolment-views.js';
import { EnrolmentPages } from './enrolment.pages.js';
import { FormGuard } from './form-guard.js';
import { FormTokens } from './form-tokens.js';
import { MfaResetPages } from './mfa-reset.pages.js';
import { MissingPages } from './missing.pages.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';
import { PasswordPages } from './password.pages.js';
import { PasskeyEnrolmentPages } from './passkey-enrolment.pages.js';
import { PasskeyViews } from './passkey-views.js';
import { FactorRenamePages } from './factor-rename.pages.js';
import { SecurityPages } from './security.pages.js';
import { SessionsPages } from './sessions.pages.js';
import { SignInPages } from './sign-in.pages.js';
import { StepUpPages } from './step-up.pages.js';
import { StepUpProof } from './step-up-proof.js';
import { WebAssets } from './web-assets.js';
import { secretBoxProvider } from '../common/crypto/secret-box.provider.js';

/** The server-rendered pages (api processes only): the account pages and the admin console, on the API's commands. */
@Module({
  imports: [AuthModule, ComplianceModule, FactorsModule, PolicyModule, AuditModule, IdentityModule],
  controllers: [
    AssetsController,
    SignInPages,
    SecurityPages,
    SessionsPages,
    PasswordPages,
    StepUpPages,
    FactorRemovalPages,
    BackupCodesRegeneratePages,
    MfaResetPages,
    ActivityPages,
    ConsoleLandingPages,
    PolicyPages,
    UsersPages,
    UserPages,
    DevicesPages,
    ApiKeysPages,
    AuditPages,
    AuditSinkFormPages,
    AuditStreamPages,
    EnrolmentPages,
    EmailEnrolmentPages,
    BackupCodesPages,
    PasskeyEnrolmentPages,
    FactorRenamePages,
    // Last: it answers whatever path the pages above do not.
    MissingPages,
  ],
  providers: [
    WebAssets,
    PageRenderer,
    FormTokens,
    FormGuard,
    PageFrames,
    PageErrorsFilter,
    StepUpProof,
    NewApiKeyReveal,
    NewSinkSecretReveal,
    AuditVerification,
    secretBoxProvider,
    EnrolmentCookies,
    EnrolmentViews,
    PasskeyViews,
  ],
})
export class WebModule {}
