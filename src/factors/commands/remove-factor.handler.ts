import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog, SecurityNotices } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { countsAsEnrolled, isInScope, MfaPolicyStore, ReauthCheck } from '../../policy/index.js';
import { UsersDirectory } from '../../identity/index.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError, notFound, unauthorized } from '../../common/errors/domain-error.js';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { RememberedDevices, Session } from '../../sessions/index.js';
import { FactorRemovedEvent } from '../events/factor-removed.event.js';
import { Factor } from '../factor.entity.js';
import { mfaCodeInvalid } from '../factors.errors.js';
import { forgetMfaLeftovers } from '../mfa-leftovers.js';
import { RemovalProof } from '../removal-proof.js';
import { lockUserFactors } from '../user-factors-lock.js';
import { RemoveFactorCommand } from './remove-factor.command.js';

const factorNotFound = () => notFound('Factor');

@CommandHandler(RemoveFactorCommand)
export class RemoveFactorHandler implements ICommandHandler<RemoveFactorCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly reauth: ReauthCheck,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly proofs: RemovalProof,
    private readonly policies: MfaPolicyStore,
    private readonly directory: UsersDirectory,
    private readonly notices: SecurityNotices,
  ) {}

  /** 403 `policy_requires_mfa` when this is the user's last factor the policy accepts and it requires one of them. */
  private async assertPolicyAllowsRemoval(tx: Tx, factor: Factor): Promise<void> {
    const { tenantId, userId } = factor;
    const [{ settings }, user] = await Promise.all([
      this.policies.current(tenantId, tx.em),
      this.directory.findUser(tenantId, userId, tx.em),
    ]);
    if (!user || !isInScope(settings, user.roles) || factor.status !== 'active') return;
    const active = await tx.em.find(Factor, { tenantId, userId, status: 'active' }, { fields: ['type'] });
    const othersAfter = active.filter((f) => f.id !== factor.id).map((f) => f.type);
    if (countsAsEnrolled(settings, user.roles, [factor.type]) && !countsAsEnrolled(settings, user.roles, othersAfter)) {
      throw new DomainError(
        'policy_requires_mfa',
        'Your organisation requires a second factor: add another before removing this one',
      );
    }
  }

  async execute({ tenantId, userId, sessionId, factorId, proof, actor, request }: RemoveFactorCommand): Promise<void> {
    const proofKind = proof.password !== undefined ? 'password' : proof.credential ? 'passkey' : 'code';
    const target = { type: 'factor', id: factorId };
    const attempt = {
      tenantId,
      action: FactorRemovedEvent.type,
      actor,
      target,
      request,
      details: { proof: proofKind },
    };
    await this.attempts.run(attempt, async () => {
      const now = this.clock.now();
      const reader = this.uow.reader();
      // The window first: a stale session spends neither the password budget nor argon2.
      const session = await reader.findOne(Session, { tenantId, userId, id: sessionId });
      if (!session) throw unauthorized();
      await this.reauth.assertRecent(tenantId, session, now);
      // Another user's (or tenant's) factor is simply not found (invariant 5).
      if (!(await reader.getRepository(Factor).findForUser(tenantId, userId, factorId))) throw factorNotFound();
      const checked = await this.proofs.check(reader, { tenantId, userId, sessionId, request }, proof, now);
      await this.uow.run(async (tx) => {
        // Serialised with enrolment, activation and other removals of this user's factors, so two
        // removals racing for the last two factors cannot both miss that none is left.
        await lockUserFactors(tx, userId);
        const factor = await tx.em.getRepository(Factor).findForUser(tenantId, userId, factorId);
        if (!factor) throw factorNotFound();
        await this.assertPolicyAllowsRemoval(tx, factor);
        if (checked.kind !== 'password' && !(await checked.consume(tx, now))) throw mfaCodeInvalid();
        tx.em.remove(factor);
        await tx.em.flush();
        const remaining = await tx.em.count(Factor, { tenantId, userId, status: 'active' });
        const lastFactor = factor.status === 'active' && remaining === 0;
        const leftovers = lastFactor ? await forgetMfaLeftovers(tx, { tenantId, userId }) : {};
        // Any change of factors ends every remembered device: each must pass the new set.
        const rememberedDevicesDeleted = await RememberedDevices.forget(tx, { tenantId, userId });
        const event = new FactorRemovedEvent(tenantId, userId, factor.id, factor.type, lastFactor);
        const removed = await this.audit.record(tx, event, {
          actor,
          target,
          request,
          details: {
            factorType: factor.type,
            label: factor.label,
            proof: proofKind,
            lastFactor,
            rememberedDevicesDeleted,
            ...leftovers,
          },
        });
        await this.notices.tell(tx, removed, userId);
      });
      if (checked.kind !== 'password') await this.proofs.codeAccepted(userId);
    });
  }
}
