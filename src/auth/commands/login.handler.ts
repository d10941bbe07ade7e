import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { AuditLog } from '../../audit/index.js';
import type { RequestMeta } from '../../common/actor.js';
import { tooManyAttempts } from '../../common/attempt-limiter.js';
import { PasswordHasher } from '../../common/crypto/password-hasher.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { isDatabaseUnavailable } from '../../common/errors/database-unavailable.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { type App, AppKeys, emailSchema, type RegisteredApp, Tenant, User } from '../../identity/index.js';
import { Clock } from '../../common/clock.js';
import { RememberedDevices, SessionsService } from '../../sessions/index.js';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import type { Role } from '../../common/access/roles.js';
import {
  acceptedMethodsFor,
  evaluateMfa,
  type MfaMethod,
  type MfaPolicySettings,
  MfaPolicyStore,
  MfaScopeStart,
} from '../../policy/index.js';
import { MfaChallengeIssuedEvent } from '../events/mfa-challenge.events.js';
import { ChallengeMethods } from '../challenge-methods/challenge-methods.js';
import { MfaChallenge } from '../mfa-challenge.entity.js';
import { type LoginFailureReason, LoginSucceededEvent } from '../events/login.events.js';
import { type LoginAdmission, LoginThrottle } from '../login-throttle.js';
import { FamiliarClients } from '../familiar-clients.js';
import { LoginFailures } from '../login-failures.js';
import { lockSignInState, type SignInState } from '../sign-in-state.js';
import { LoginCommand, type LoginResult } from './login.command.js';

const invalidCredentials = () => new DomainError('invalid_credentials', 'The e-mail or password is not correct');

type Login = LoginCommand['input'];

@CommandHandler(LoginCommand)
export class LoginHandler implements ICommandHandler<LoginCommand> {
  constructor(
    private readonly orm: MikroORM,
    private readonly uow: UnitOfWork,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly methods: ChallengeMethods,
    private readonly devices: RememberedDevices,
    private readonly policies: MfaPolicyStore,
    private readonly appKeys: AppKeys,
    private readonly familiar: FamiliarClients,
    private readonly failures: LoginFailures,
  ) {}

  async execute({ input, request }: LoginCommand): Promise<LoginResult> {
    // The throttle comes first: an attempt over a limit must cost neither database work nor argon2.
    const client = { ...input, ip: request.ip };
    const admission = await this.throttle.admit(input.tenant, input.email, request.ip, () =>
      this.familiar.recognise(client, this.clock.now()),
    );
    if (!admission.admitted) return this.refuseRateLimited(admission, input, request);
    try {
      return await this.attempt(input, request);
    } catch (error) {
      // A 503 whatever the password: a client retrying through a database restart or failover must not
      // lock itself out.
      if (isDatabaseUnavailable(error)) await admission.refund().catch(() => undefined);
      throw error;
    }
  }

  /** The password check and what follows it, once the throttle admitted the attempt. */
  private async attempt(input: Login, request: RequestMeta): Promise<LoginResult> {
    const { tenant, user } = await this.lookUp(input);
    // Unknown tenant, unknown user and wrong password cost the same argon2 work and give the same answer.
    const verifiedHash = user?.passwordHash ?? null;
    const ok = verifiedHash
      ? await this.hasher.verify(verifiedHash, input.password)
      : await this.hasher.burn(input.password);
    if (!tenant || !user || !verifiedHash || !ok) {
      const reason: LoginFailureReason = !tenant
        ? 'unknown_tenant'
        : !user
          ? 'unknown_user'
          : verifiedHash
            ? 'wrong_password'
            : 'no_password';
      await this.recordFailure(tenant?.id ?? null, user?.id ?? null, reason, input.email, request);
      throw invalidCredentials();
    }
    return TenantScope.run(tenant.id, () => this.signIn(tenant, user.id, verifiedHash, input, request));
  }

  /** The password was right: the rest of the sign-in happens inside the user's tenant. */
  private async signIn(
    tenant: Tenant,
    userId: string,
    verifiedHash: string,
    input: Login,
    request: RequestMeta,
  ): Promise<LoginResult> {
    const tenantId = tenant.id;
    // Checked only once the password is right: a stranger learns nothing about the tenant's apps.
    const app = input.appKey ? await this.appKeys.resolve(tenantId, input.appKey) : null;
    if (input.appKey && !app) {
      await this.recordFailure(tenantId, userId, 'unknown_app', input.email, request);
      throw new DomainError('invalid_app_key', 'The app key is not valid for this tenant');
    }
    const result = await this.openSessionOrChallenge(tenant, userId, verifiedHash, input.deviceToken, app, request);
    if (!result) {
      await this.recordFailure(tenantId, userId, 'password_changed', input.email, request);
      throw invalidCredentials();
    }
    // Best effort: the password was right, and a counter left behind only runs out with its window.
    // (A challenge's codes have limits of their own.) The network is known from now on. Side by side:
    // neither waits for the other.
    await Promise.all([
      this.throttle.succeeded(input.tenant, input.email, request.ip).catch(() => undefined),
      this.familiar.remember({ tenantId, userId }, request.ip, this.clock.now()).catch(() => undefined),
    ]);
    return result;
  }

  /**
   * Opens the session only if the password hash is still the one that was verified; null if it
   * changed meanwhile. Without this, a login that checked the old password could open its session
   * after a password change had committed and revoked every live session, and so outlive it.
   *
   * The hash is read `FOR SHARE`, and the lock is held until this transaction commits:
   * - if a password change has already updated the row, the read waits for that change to commit
   *   and then sees the new hash (READ COMMITTED re-reads a row it waited for): refused;
   * - otherwise the change's UPDATE waits for this transaction to commit, and its revocation, which
   *   runs after the UPDATE, then finds the session opened here and revokes it.
   * (Inserting the session alone only takes FOR KEY SHARE on the user row through the foreign key,
   * which does not conflict with an UPDATE of the hash.)
   */
  private async openSessionOrChallenge(
    tenant: Tenant,
    userId: string,
    verifiedHash: string,
    deviceToken: string | undefined,
    app: RegisteredApp | null,
    request: RequestMeta,
  ): Promise<LoginResult | null> {
    const boundTo = app && { id: app.id, kind: app.kind };
    const tenantId = tenant.id;
    // From this process's cache when the version read with the tenant is the one it holds.
    const { settings: policy } = await this.policies.inForce(tenantId, tenant.mfaPolicyVersion);
    return this.uow.run(async (tx) => {
      const current = await lockSignInState(tx.em, { tenantId, userId });
      if (current?.passwordHash !== verifiedHash) return null;
      const now = this.clock.now();
      const methods = this.methods.offeredTo(current.inventory, policy, current.roles);
      const setUpMethods = methods.length ? setUpOnlyAfter(policy, current, boundTo?.kind ?? null, now) : null;
      // A remembered device skips the code, never the set-up the code would lead to.
      const device =
        methods.length && !setUpMethods
          ? await this.devices.honour(tx.em, { tenantId, userId }, deviceToken, {
              now,
              notBefore: credentialsChangedAt(current),
              days: policy.rememberDeviceDays,
            })
          : null;
      if (device) {
        await tx.em.flush();
        const opened = await this.sessions.open(tx, {
          tenantId,
          userId,
          amr: ['pwd', 'remembered_device'],
          request,
          app: boundTo,
        });
        tx.publish(new LoginSucceededEvent(tenantId, userId, opened.session.id));
        return { status: 'authenticated', ...opened };
      }
      if (methods.length) {
        const challenge = new MfaChallenge({
          tenantId,
          userId,
          methods,
          now: this.clock.now(),
          passwordHash: verifiedHash,
        });
        challenge.app = boundTo?.kind ?? null;
        challenge.appId = boundTo?.id ?? null;
        challenge.setUpMethods = setUpMethods;
        tx.em.persist(challenge);
        await tx.em.flush();
        await this.audit.record(tx, new MfaChallengeIssuedEvent(tenantId, userId, challenge.id), {
          actor: { type: 'user', id: userId },
          target: { type: 'mfa_challenge', id: challenge.id },
          request,
          details: { methods },
        });
        return { status: 'mfa_required', challenge };
      }
      const subject = { tenantId, userId, roles: current.roles };
      return this.signInWithoutFactor(tx, subject, current.scopeStartedAt, { policy, now }, boundTo, request);
    });
  }

  /** No factor the policy accepts: a plain session, during the grace period with its deadline, or enrol-only after it. */
  private async signInWithoutFactor(
    tx: Tx,
    subject: { tenantId: string; userId: string; roles: Role[] },
    recordedScopeStart: Date | null,
    { policy, now }: { policy: MfaPolicySettings; now: Date },
    app: { id: string; kind: App } | null,
    request: RequestMeta,
  ): Promise<LoginResult> {
    const { tenantId, userId } = subject;
    const scopes = tx.em.getRepository(MfaScopeStart);
    const scopeStartedAt = await scopes.syncUserFrom(recordedScopeStart, subject, policy, now);
    // Without an app key the session is bound to no app: it is held to the policy as for every app.
    // No factor accepted from them (a role held to passkeys may hold codes, which count for nothing here).
    const mfa = evaluateMfa(
      policy,
      { kind: 'user', roles: subject.roles, activeFactorTypes: [], scopeStartedAt },
      app?.kind ?? null,
      now,
    );
    if (mfa.status === 'overdue') {
      const opened = await this.sessions.open(tx, { tenantId, userId, amr: ['pwd'], request, enrollmentOnly: true });
      return {
        status: 'mfa_enrollment_required',
        ...opened,
        allowedMethods: acceptedMethodsFor(policy, subject.roles),
      };
    }
    const opened = await this.sessions.open(tx, { tenantId, userId, amr: ['pwd'], request, app });
    tx.publish(new LoginSucceededEvent(tenantId, userId, opened.session.id));
    return {
      status: 'authenticated',
      ...opened,
      ...(mfa.status === 'grace' ? { enrollmentDeadline: mfa.deadline } : {}),
    };
  }

  /**
   * Every refusal is counted in the metrics (its event), but only the first of a limit's window is
   * audited: one entry says the limit was hit, and an attacker over it can neither flood the log nor
   * queue up on the tenant's (or the shared platform) chain head. Only that one looks anything up.
   */
  private async refuseRateLimited(
    admission: Extract<LoginAdmission, { admitted: false }>,
    input: Login,
    request: RequestMeta,
  ): Promise<never> {
    if (admission.firstInWindow) {
      const { tenant, user } = await this.lookUp(input);
      await this.recordFailure(tenant?.id ?? null, user?.id ?? null, 'rate_limited', input.email, request, {
        limit: admission.limit,
      });
    } else {
      this.failures.counted('rate_limited');
    }
    throw tooManyAttempts('Too many sign-in attempts; try again later', admission.retryAfterMs);
  }

  private async lookUp(input: Login): Promise<{ tenant: Tenant | null; user: User | null }> {
    const em = this.orm.em.fork();
    const tenant = await em.findOne(Tenant, { slug: input.tenant.toLowerCase() });
    const user = tenant
      ? await TenantScope.run(tenant.id, () => em.getRepository(User).findByEmail(tenant.id, input.email))
      : null;
    return { tenant, user };
  }

  private recordFailure(
    tenantId: string | null,
    userId: string | null,
    reason: LoginFailureReason,
    email: string,
    request: RequestMeta,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.failures.record(tenantId, userId, reason, request, { ...details, ...typedEmail(email) });
  }
}

/**
 * The methods to set up when the factors a challenge offers this user do not count for them and their
 * deadline has passed (a role held to passkeys, with codes only): the code then opens only the set-up.
 */
function setUpOnlyAfter(policy: MfaPolicySettings, user: SignInState, app: App | null, now: Date): MfaMethod[] | null {
  const activeFactorTypes = [...user.inventory.activeTypes];
  const subject = { kind: 'user' as const, roles: user.roles, activeFactorTypes, scopeStartedAt: user.scopeStartedAt };
  return evaluateMfa(policy, subject, app, now).status === 'overdue' ? acceptedMethodsFor(policy, user.roles) : null;
}

/** When the user's credentials last changed: a remembered device issued before then is void. */
function credentialsChangedAt(user: SignInState): Date | null {
  const times = [user.passwordChangedAt, user.inventory.lastFactorVerifiedAt].filter((d): d is Date => d !== null);
  return times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : null;
}

/**
 * What was typed as the e-mail, for the audit log, only when it is an e-mail address: people type
 * their password into the e-mail field, and the log is streamed to other teams.
 */
function typedEmail(email: string): { email: string } | { emailInvalid: true } {
  const parsed = emailSchema.safeParse(email);
  return parsed.success ? { email: parsed.data.toLowerCase() } : { emailInvalid: true };
}
