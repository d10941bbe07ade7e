import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { codeAlreadyUsed, mfaCodeInvalid, PasskeyAssertions, PasskeyCloneAlarm } from '../../factors/index.js';
import { AppKeys } from '../../identity/index.js';
import { SessionsService } from '../../sessions/index.js';
import { LoginSucceededEvent } from '../events/login.events.js';
import { lockSignInState } from '../sign-in-state.js';
import { PasskeySignInGate } from './passkey-sign-in-gate.js';
import { BeginPasskeySignInCommand, SignInWithPasskeyCommand } from './passkey-sign-in.commands.js';

const passwordless = (tenantId: string) => ({
  tenantId,
  purpose: 'passwordless' as const,
  boundTo: null,
  userId: null,
});

@CommandHandler(BeginPasskeySignInCommand)
export class BeginPasskeySignInHandler implements ICommandHandler<BeginPasskeySignInCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly gate: PasskeySignInGate,
    private readonly assertions: PasskeyAssertions,
  ) {}

  async execute({ tenant: slug, request }: BeginPasskeySignInCommand) {
    const tenant = await this.gate.admit(slug, request);
    return TenantScope.run(tenant.id, () =>
      this.uow.run(async (tx) => {
        // No credentials listed: the browser offers the passkeys it holds for this site (discoverable ones).
        const options = await this.assertions.begin(tx.em, passwordless(tenant.id), {
          credentials: [],
          userVerificationRequired: true,
          now: this.clock.now(),
        });
        return { options };
      }),
    );
  }
}

@CommandHandler(SignInWithPasskeyCommand)
export class SignInWithPasskeyHandler implements ICommandHandler<SignInWithPasskeyCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly gate: PasskeySignInGate,
    private readonly assertions: PasskeyAssertions,
    private readonly alarm: PasskeyCloneAlarm,
    private readonly sessions: SessionsService,
    private readonly appKeys: AppKeys,
  ) {}

  async execute({ input, request }: SignInWithPasskeyCommand) {
    const tenant = await this.gate.admit(input.tenant, request);
    const tenantId = tenant.id;
    return TenantScope.run(tenantId, async () => {
      const now = this.clock.now();
      const outcome = await this.assertions.verify(this.uow.reader(), passwordless(tenantId), input.credential, now);
      if ('refusal' in outcome) {
        const { refusal, factor, counters } = outcome;
        if (refusal === 'counter_rollback' && factor && counters) await this.alarm.raise(factor, counters, request);
        await this.gate.refused(tenantId, factor?.userId ?? null, 'passkey_refused', request, { refusal });
        throw mfaCodeInvalid();
      }
      const { assertion } = outcome;
      const userId = assertion.factor.userId;
      const app = input.appKey ? await this.appKeys.resolve(tenantId, input.appKey) : null;
      if (input.appKey && !app) {
        await this.gate.refused(tenantId, userId, 'unknown_app', request);
        throw new DomainError('invalid_app_key', 'The app key is not valid for this tenant');
      }
      return this.uow.run(async (tx) => {
        // The user row FOR SHARE, as a password sign-in takes it: a deleted user opens nothing.
        if (!(await lockSignInState(tx.em, { tenantId, userId }))) throw mfaCodeInvalid();
        // The ceremony and the counter, each by a conditional UPDATE: a replay or a concurrent answer loses.
        if (!(await this.assertions.consume(tx, assertion, now))) throw codeAlreadyUsed();
        const opened = await this.sessions.open(tx, {
          tenantId,
          userId,
          amr: ['webauthn'],
          request,
          userVerified: true,
          app: app && { id: app.id, kind: app.kind },
        });
        tx.publish(new LoginSucceededEvent(tenantId, userId, opened.session.id));
        return opened;
      });
    });
  }
}
