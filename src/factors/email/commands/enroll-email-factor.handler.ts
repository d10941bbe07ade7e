import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../../audit/index.js';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { conflict } from '../../../common/errors/domain-error.js';
import { UsersDirectory } from '../../../identity/index.js';
import { OutboxRelay } from '../../../infra/outbox/outbox-relay.js';
import { FactorEnrollmentStartedEvent } from '../../events/factor.events.js';
import { Factor, PENDING_FACTOR_TTL_MS } from '../../factor.entity.js';
import { EmailCodes } from '../email-codes.js';
import { EnrollEmailFactorCommand } from './enroll-email-factor.command.js';
import { EnrolmentProof } from '../../enrolment-proof.js';
import { lockUserFactors } from '../../user-factors-lock.js';

/** A bound on rows (and on addresses we mail) per account. */
export const MAX_EMAIL_FACTORS_PER_USER = 3;

@CommandHandler(EnrollEmailFactorCommand)
export class EnrollEmailFactorHandler implements ICommandHandler<EnrollEmailFactorCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly directory: UsersDirectory,
    private readonly codes: EmailCodes,
    private readonly outbox: OutboxRelay,
    private readonly proof: EnrolmentProof,
  ) {}

  async execute({ tenantId, userId, email, actor, request, session }: EnrollEmailFactorCommand) {
    const user = await this.directory.requireUser(tenantId, userId);
    const address = (email ?? user.email).trim().toLowerCase();
    const attempt = { tenantId, action: FactorEnrollmentStartedEvent.type, actor, request };
    const { factorId, outboxId } = await this.attempts.run(attempt, () =>
      this.uow.run(async (tx) => {
        // Same per-user lock as TOTP enrolment: concurrent requests cannot pass the limit together.
        await lockUserFactors(tx, userId);
        const now = this.clock.now();
        await this.proof.assertMayStart(tx.em, session, now);
        const mine = await tx.em.find(Factor, { tenantId, userId, type: 'email' });
        if (mine.some((f) => f.label === address && f.status === 'active')) {
          throw conflict('This address is already one of your e-mail factors');
        }
        let factor = mine.find((f) => f.label === address && f.isVerifiableAt(now));
        if (!factor) {
          if (mine.filter((f) => f.isLiveAt(now)).length >= MAX_EMAIL_FACTORS_PER_USER) {
            throw conflict(`A user may have at most ${MAX_EMAIL_FACTORS_PER_USER} e-mail factors`);
          }
          factor = await this.start(tx, { tenantId, userId, address, actor, request, now });
        }
        const outboxId = await this.codes.issue(tx, { factor, purpose: 'enrollment', actor, request, now });
        return { factorId: factor.id, outboxId };
      }),
    );
    await this.outbox.relayNow([outboxId]);
    return { factorId };
  }

  private async start(
    tx: Parameters<Parameters<UnitOfWork['run']>[0]>[0],
    input: { tenantId: string; userId: string; address: string; now: Date } & Pick<
      EnrollEmailFactorCommand,
      'actor' | 'request'
    >,
  ): Promise<Factor> {
    const { tenantId, userId, address, now, actor, request } = input;
    const factor = new Factor({ tenantId, userId, type: 'email', label: address, now });
    tx.em.persist(factor);
    await tx.em.flush();
    await this.audit.record(tx, new FactorEnrollmentStartedEvent(tenantId, userId, factor.id, 'email'), {
      actor,
      target: { type: 'factor', id: factor.id },
      request,
      details: { factorType: 'email', expiresInMs: PENDING_FACTOR_TTL_MS },
    });
    return factor;
  }
}
