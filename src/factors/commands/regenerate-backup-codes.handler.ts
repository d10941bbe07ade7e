import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog, SecurityNotices } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { ReauthCheck } from '../../policy/index.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { isDegraded } from '../backup-codes/degraded-session.js';
import { BackupCodes } from '../backup-codes/backup-codes.js';
import { degradedSession, noActiveFactor } from '../backup-codes/backup-codes.errors.js';
import { BackupCodesRegeneratedEvent } from '../events/backup-code.events.js';
import { Factor } from '../factor.entity.js';
import { lockUserFactors } from '../user-factors-lock.js';
import { RegenerateBackupCodesCommand } from './regenerate-backup-codes.command.js';

@CommandHandler(RegenerateBackupCodesCommand)
export class RegenerateBackupCodesHandler implements ICommandHandler<RegenerateBackupCodesCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly reauth: ReauthCheck,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly backupCodes: BackupCodes,
    private readonly notices: SecurityNotices,
  ) {}

  execute({ tenantId, userId, session, actor, request }: RegenerateBackupCodesCommand) {
    const target = { type: 'user', id: userId };
    const attempt = { tenantId, action: BackupCodesRegeneratedEvent.type, actor, target, request };
    return this.attempts.run(attempt, async () => {
      if (isDegraded(session)) throw degradedSession();
      const now = this.clock.now();
      await this.reauth.assertRecent(tenantId, session, now);
      const backupCodes = await this.uow.run(async (tx) => {
        await lockUserFactors(tx, userId);
        if (!(await tx.em.count(Factor, { tenantId, userId, status: 'active' }))) throw noActiveFactor();
        const codes = await this.backupCodes.replace(tx, { tenantId, userId }, now);
        const regenerated = await this.audit.record(
          tx,
          new BackupCodesRegeneratedEvent(tenantId, userId, codes.length),
          {
            actor,
            target,
            request,
            details: { count: codes.length },
          },
        );
        await this.notices.tell(tx, regenerated, userId);
        return codes;
      });
      return { backupCodes };
    });
  }
}
