import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { notFound } from '../../common/errors/domain-error.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { Factor, factorInventoryOf, PasskeyAssertions, type AssertionSite } from '../../factors/index.js';
import { type MfaPolicySettings, MfaPolicyStore } from '../../policy/index.js';
import { assertChallengeBound, challengeExpired } from '../challenge-binding.js';
import { ChallengeMethods } from '../challenge-methods/challenge-methods.js';
import { MfaChallenge } from '../mfa-challenge.entity.js';
import { BeginPasskeyAssertionCommand } from './begin-passkey-assertion.command.js';

@CommandHandler(BeginPasskeyAssertionCommand)
export class BeginPasskeyAssertionHandler implements ICommandHandler<BeginPasskeyAssertionCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly assertions: PasskeyAssertions,
    private readonly methods: ChallengeMethods,
    private readonly policies: MfaPolicyStore,
  ) {}

  async execute({ site }: BeginPasskeyAssertionCommand) {
    if ('principal' in site) {
      const { tenantId, userId, session, tenant, roles } = site.principal;
      const [{ settings }, inventory] = await Promise.all([
        this.policies.inForce(tenantId, tenant.mfaPolicyVersion),
        factorInventoryOf(this.uow.reader(), { tenantId, userId }),
      ]);
      // Only where a step-up would accept the answer: passkeys offered to this user under the policy.
      if (!this.methods.offeredTo(inventory, settings, roles).includes('webauthn')) throw notFound('Passkey');
      return this.begin({ tenantId, userId, purpose: 'step_up', boundTo: session.id }, settings);
    }
    const challenge = await this.uow.reader().getRepository(MfaChallenge).findByIdAcrossTenants(site.challengeId);
    if (!challenge) throw notFound('Challenge');
    return TenantScope.run(challenge.tenantId, async () => {
      if (!challenge.isOpenAt(this.clock.now())) throw challengeExpired();
      await assertChallengeBound(this.uow.reader(), challenge);
      if (!challenge.methods.includes('webauthn')) throw notFound('Passkey');
      const { tenantId, userId } = challenge;
      const { settings } = await this.policies.current(tenantId);
      return this.begin({ tenantId, userId, purpose: 'sign_in', boundTo: challenge.id }, settings);
    });
  }

  private begin(site: AssertionSite & { userId: string }, policy: MfaPolicySettings) {
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      const credentials = await tx.em.find(Factor, {
        tenantId: site.tenantId,
        userId: site.userId,
        type: 'webauthn',
        status: 'active',
      });
      const options = await this.assertions.begin(tx.em, site, {
        credentials,
        userVerificationRequired: policy.connectionPolicy.biometricPriorConnection,
        now,
      });
      return { options };
    });
  }
}
