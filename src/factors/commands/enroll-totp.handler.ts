import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import { AuditedAttempt, AuditLog } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { notFound } from '../../common/errors/domain-error.js';
import { UsersDirectory } from '../../identity/index.js';
import { FactorEnrollmentStartedEvent } from '../events/factor.events.js';
import { Factor } from '../factor.entity.js';
import { FactorSecrets } from '../factor-secrets.js';
import { tooManyTotpFactors } from '../factors.errors.js';
import { totpProvisioning } from '../totp/provisioning.js';
import { TOTP_SECRET_BYTES } from '../totp/totp.js';
import { EnrollTotpCommand, type TotpEnrollment } from './enroll-totp.command.js';
import { EnrolmentProof } from '../enrolment-proof.js';
import { lockUserFactors } from '../user-factors-lock.js';

/** Enough for a phone, a spare and a password manager; a bound on rows one account can create. */
export const MAX_TOTP_FACTORS_PER_USER = 5;
export const DEFAULT_TOTP_LABEL = 'Authenticator app';

@CommandHandler(EnrollTotpCommand)
export class EnrollTotpHandler implements ICommandHandler<EnrollTotpCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly directory: UsersDirectory,
    private readonly secrets: FactorSecrets,
    private readonly proof: EnrolmentProof,
  ) {}

  async execute({ tenantId, userId, label, actor, request, session }: EnrollTotpCommand): Promise<TotpEnrollment> {
    const attempt = { tenantId, action: FactorEnrollmentStartedEvent.type, actor, request };
    const [user, tenant] = await Promise.all([
      this.directory.requireUser(tenantId, userId),
      this.directory.findTenant(tenantId),
    ]);
    if (!tenant) throw notFound('Tenant');
    const secret = randomBytes(TOTP_SECRET_BYTES);
    const factor = await this.attempts.run(attempt, () =>
      this.uow.run(async (tx) => {
        // One enrolment per user at a time, so concurrent requests cannot pass the limit together.
        await lockUserFactors(tx, userId);
        const now = this.clock.now();
        await this.proof.assertMayStart(tx.em, session, now);
        const factors = tx.em.getRepository(Factor);
        const live = await factors.countLiveTotp(tenantId, userId, now);
        if (live >= MAX_TOTP_FACTORS_PER_USER) throw tooManyTotpFactors(MAX_TOTP_FACTORS_PER_USER);
        const created = new Factor({ tenantId, userId, type: 'totp', label: label ?? DEFAULT_TOTP_LABEL, now });
        this.secrets.seal(created, secret);
        tx.em.persist(created);
        await tx.em.flush();
        await this.audit.record(tx, new FactorEnrollmentStartedEvent(tenantId, userId, created.id, 'totp'), {
          actor,
          target: { type: 'factor', id: created.id },
          request,
          details: { factorType: 'totp', label: created.label },
        });
        return created;
      }),
    );
    const provisioning = await totpProvisioning({ issuer: tenant.name, account: user.email, secret });
    secret.fill(0);
    return { factorId: factor.id, ...provisioning };
  }
}
