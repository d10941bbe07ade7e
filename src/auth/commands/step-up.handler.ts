import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError, unauthorized } from '../../common/errors/domain-error.js';
import {
  codeAlreadyUsed,
  factorInventoryOf,
  mfaCodeInvalid,
  MfaFailureStreaks,
  MfaVerificationThrottle,
  SecondFactorRefusals,
} from '../../factors/index.js';
import { MfaPolicyStore } from '../../policy/index.js';
import { Session, SessionsService } from '../../sessions/index.js';
import { ChallengeMethods } from '../challenge-methods/challenge-methods.js';
import { STEP_UP_FAILED, StepUpSucceededEvent } from '../events/step-up.events.js';
import { existedBeforeSession } from '../challenge-methods/proven-before.js';
import { type SteppedUp, StepUpCommand } from './step-up.command.js';

@CommandHandler(StepUpCommand)
export class StepUpHandler implements ICommandHandler<StepUpCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly methods: ChallengeMethods,
    private readonly throttle: MfaVerificationThrottle,
    private readonly streaks: MfaFailureStreaks,
    private readonly refusals: SecondFactorRefusals,
    private readonly sessions: SessionsService,
    private readonly policies: MfaPolicyStore,
  ) {}

  async execute({ principal, input, request }: StepUpCommand): Promise<SteppedUp> {
    const { tenantId, userId } = principal;
    const sessionId = principal.session.id;
    const actor = { type: 'user' as const, id: userId };
    const target = { type: 'session', id: sessionId };
    const subject = { tenantId, userId };
    try {
      // The session stands in for a challenge: 5 tries per session per window, and the per-user budget
      // is the one login challenges draw from, so step-up gives a session thief no extra guesses.
      await this.throttle.admit(sessionId, userId);
      const now = this.clock.now();
      const reader = this.uow.reader();
      const [{ settings: policy }, inventory] = await Promise.all([
        this.policies.inForce(tenantId, principal.tenant.mfaPolicyVersion),
        factorInventoryOf(reader, subject),
      ]);
      // The same consecutive-failure streak as login challenges: step-up is no way around its waits or its lock.
      const { streak } = this.streaks.assertMayTryGiven(inventory.failureStreak, now);
      // What a login would offer: a method the tenant's policy no longer allows proves nothing here either.
      const offered = this.methods.offeredTo(inventory, policy, principal.roles);
      const verifier = offered.includes(input.method) ? this.methods.get(input.method) : undefined;
      const site = { sessionId };
      const matched = verifier ? await verifier.match(reader, subject, input, now, site, request) : null;
      if (!verifier || !matched) throw mfaCodeInvalid();
      if (!existedBeforeSession(matched, principal.session.createdAt)) throw mfaCodeInvalid();
      const steppedUp = await this.uow.run(async (tx) => {
        // A replayed code loses here (conditional UPDATE), and the session row is locked so a
        // concurrent revocation either waits for this step-up or makes it fail. The code matched, so
        // losing means it was used (a double click): 409, and no failure on the streak.
        if (!(await matched.consume(tx, now))) throw codeAlreadyUsed();
        if (streak) await this.streaks.recordSuccess(tx.em, subject);
        const live = await tx.em.getRepository(Session).lockForUser(tenantId, userId, sessionId);
        if (!live?.isActiveAt(now)) throw unauthorized();
        live.recordStepUp(verifier.amr, now, matched.userVerified === true);
        // A new token: if the session was stolen, the thief's copy dies when the user steps up.
        const token = await this.sessions.rotateToken(tx, live);
        await this.audit.record(tx, new StepUpSucceededEvent(tenantId, userId, sessionId, input.method), {
          actor,
          target,
          request,
          details: { method: input.method, matchedId: matched.id, amr: live.amr, tokenRotated: true },
        });
        return { session: live, token };
      });
      await this.throttle.succeeded(userId);
      return steppedUp;
    } catch (error) {
      if (error instanceof DomainError) {
        await this.refusals.record({ subject, action: STEP_UP_FAILED, target, method: input.method, error, request });
      }
      throw error;
    }
  }
}
