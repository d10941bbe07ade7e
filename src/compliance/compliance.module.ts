import { Module } from '@nestjs/common';
import { AdminMfaController } from './admin-mfa.controller.js';
import { AdminUsersMfaController } from './admin-users-mfa.controller.js';
import { IdentityModule } from '../identity/index.js';
import { ForgetAllDevicesHandler } from './commands/forget-all-devices.handler.js';
import { MailModule } from '../infra/mail/mail.module.js';
import { OutboxModule } from '../infra/outbox/outbox.module.js';
import { SessionsModule } from '../sessions/index.js';
import { DeliverGraceNoticeHandler } from './commands/deliver-grace-notice.handler.js';
import { EnforceGraceDeadlineHandler } from './commands/enforce-grace-deadline.handler.js';
import { SweepGracePeriodsHandler } from './commands/sweep-grace-periods.handler.js';
import { GracePeriodActions } from './grace/grace-period-actions.js';
import { GraceSweepAfterChange } from './grace/grace-sweep-after-change.js';
import { SweepGraceAfterPolicyChangeHandler } from './commands/sweep-grace-after-policy-change.handler.js';
import { AuditModule } from '../audit/index.js';
import { FactorsModule } from '../factors/index.js';
import { ChangeMfaPolicyHandler } from './commands/change-mfa-policy.handler.js';
import { MfaPolicyController } from './mfa-policy.controller.js';
import { MfaPolicyPreviewController } from './mfa-policy-preview.controller.js';
import { MfaPolicyPreview } from './mfa-policy-preview.js';
import { PolicyModule, ReauthGateModule } from '../policy/index.js';
import { MfaStatusReader } from './mfa-status.js';
import { MfaWeakeningConfirmation } from './mfa-weakening-confirmation.js';
import { AdminUsersMfa } from './admin-users-mfa.read.js';

/** Users' standing under the tenant's MFA policy: policy changes, grace periods and their enforcement, admin MFA controls. */
@Module({
  imports: [
    AuditModule,
    FactorsModule,
    PolicyModule,
    ReauthGateModule,
    IdentityModule,
    SessionsModule,
    OutboxModule,
    MailModule,
  ],
  controllers: [AdminMfaController, AdminUsersMfaController, MfaPolicyController, MfaPolicyPreviewController],
  providers: [
    ChangeMfaPolicyHandler,
    ForgetAllDevicesHandler,
    GracePeriodActions,
    SweepGracePeriodsHandler,
    GraceSweepAfterChange,
    SweepGraceAfterPolicyChangeHandler,
    EnforceGraceDeadlineHandler,
    DeliverGraceNoticeHandler,
    MfaStatusReader,
    MfaPolicyPreview,
    MfaWeakeningConfirmation,
    AdminUsersMfa,
  ],
  exports: [MfaStatusReader, AdminUsersMfa, MfaPolicyPreview],
})
export class ComplianceModule {}
