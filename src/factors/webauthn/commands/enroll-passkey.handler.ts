import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../../audit/index.js';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { conflict, notFound } from '../../../common/errors/domain-error.js';
import { UsersDirectory } from '../../../identity/index.js';
import { MfaPolicyStore } from '../../../policy/index.js';
import { EnrolmentProof } from '../../enrolment-proof.js';
import { FactorEnrollmentStartedEvent } from '../../events/factor.events.js';
import { Factor } from '../../factor.entity.js';
import { lockUserFactors } from '../../user-factors-lock.js';
import { PasskeyRegistration } from '../passkey-registration.js';
import { RelyingParty } from '../relying-party.js';
import { EnrollPasskeyCommand, type PasskeyEnrollment } from './enroll-passkey.command.js';

/** A phone, a laptop, two security keys and spares; a bound on the rows (and allowCredentials) of one account. */
export const MAX_PASSKEYS_PER_USER = 10;
export const DEFAULT_PASSKEY_LABEL = 'Passkey';

@CommandHandler(EnrollPasskeyCommand)
export class EnrollPasskeyHandler implements ICommandHandler<EnrollPasskeyCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly directory: UsersDirectory,
    private readonly proof: EnrolmentProof,
    private readonly policies: MfaPolicyStore,
    private readonly rp: RelyingParty,
    private readonly registration: PasskeyRegistration,
  ) {}

  async execute({
    tenantId,
    userId,
    label,
    actor,
    request,
    session,
  }: EnrollPasskeyCommand): Promise<PasskeyEnrollment> {
    this.rp.require();
    const attempt = { tenantId, action: FactorEnrollmentStartedEvent.type, actor, request };
    const [user, tenant] = await Promise.all([
      this.directory.requireUser(tenantId, userId),
      this.directory.findTenant(tenantId),
    ]);
    if (!tenant) throw notFound('Tenant');
    return this.attempts.run(attempt, () =>
      this.uow.run(async (tx) => {
        // One enrolment per user at a time, so concurrent requests cannot pass the limit together.
        await lockUserFactors(tx, userId);
        const now = this.clock.now();
        await this.proof.assertMayStart(tx.em, session, now);
        const passkeys = await tx.em.find(Factor, { tenantId, userId, type: 'webauthn' });
        const live = passkeys.filter((f) => f.isLiveAt(now));
        if (live.length >= MAX_PASSKEYS_PER_USER) {
          throw conflict(
            `A user may have at most ${MAX_PASSKEYS_PER_USER} passkeys (counting registrations not finished)`,
          );
        }
        const created = new Factor({ tenantId, userId, type: 'webauthn', label: label ?? DEFAULT_PASSKEY_LABEL, now });
        tx.em.persist(created);
        await tx.em.flush();
        const { settings } = await this.policies.current(tenantId, tx.em);
        const options = await this.registration.begin(tx.em, {
          factor: created,
          email: user.email,
          tenantName: tenant.name,
          existing: passkeys.filter((f) => f.status === 'active'),
          userVerificationRequired: settings.connectionPolicy.biometricPriorConnection,
          now,
        });
        await this.audit.record(tx, new FactorEnrollmentStartedEvent(tenantId, userId, created.id, 'webauthn'), {
          actor,
          target: { type: 'factor', id: created.id },
          request,
          details: { factorType: 'webauthn', label: created.label },
        });
        return { factorId: created.id, options };
      }),
    );
  }
}
