import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog, SecurityNotices } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { forgetTenantFactors, usersWithActiveFactors } from '../../factors/index.js';
import { AllDevicesForgottenEvent } from '../events/all-devices-forgotten.event.js';
import { MfaScopeStart, ReauthCheck } from '../../policy/index.js';
import { confirmationNeeded, MfaWeakeningConfirmation } from '../mfa-weakening-confirmation.js';
import { ForgetAllDevicesCommand } from './forget-all-devices.command.js';

const forgettingNeedsConfirmation = () => confirmationNeeded('Forgetting every device of the tenant');

@CommandHandler(ForgetAllDevicesCommand)
export class ForgetAllDevicesHandler implements ICommandHandler<ForgetAllDevicesCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly reauth: ReauthCheck,
    private readonly confirmations: MfaWeakeningConfirmation,
    private readonly notices: SecurityNotices,
  ) {}

  execute({ tenantId, editor, confirmation, actor, request }: ForgetAllDevicesCommand) {
    const target = { type: 'tenant', id: tenantId };
    return this.attempts.run({ tenantId, action: AllDevicesForgottenEvent.type, actor, target, request }, async () => {
      const now = this.clock.now();
      await this.reauth.assertRecent(tenantId, editor.session, now);
      // Every user's second factor gone at once: as weakening as turning MFA off, so confirmed the same way.
      const subject = { tenantId, userId: editor.userId, sessionId: editor.session.id, request };
      const confirmed = await this.confirmations.check(subject, confirmation, now, forgettingNeedsConfirmation);
      const result = await this.uow.run(async (tx) => {
        await confirmed.consume(tx, now);
        const affected = await usersWithActiveFactors(tx, tenantId);
        const forgotten = await forgetTenantFactors(tx, tenantId);
        // A fresh grace period from now, not the old deadline: nobody is overdue for what an admin did.
        const graceRestarted = await tx.em.getRepository(MfaScopeStart).restartTenant(tenantId, now);
        const entry = await this.audit.record(tx, new AllDevicesForgottenEvent(tenantId, forgotten.factorsRemoved), {
          actor,
          target,
          request,
          details: { ...forgotten, graceRestarted, confirmedWith: confirmed.proof },
        });
        await this.notices.tell(tx, entry, affected);
        return { factorsRemoved: forgotten.factorsRemoved };
      });
      await this.confirmations.accepted(confirmed, editor.userId);
      return result;
    });
  }
}
