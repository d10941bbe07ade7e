import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { RequestMeta } from '../../common/actor.js';
import { tooManyAttempts } from '../../common/attempt-limiter.js';
import { forbidden } from '../../common/errors/domain-error.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { Tenant } from '../../identity/index.js';
import { MfaPolicyStore } from '../../policy/index.js';
import type { LoginFailureReason } from '../events/login.events.js';
import { LoginFailures } from '../login-failures.js';
import { LoginThrottle } from '../login-throttle.js';

const notEnabled = () => forbidden('Signing in with a passkey alone is not enabled for this organisation');

/**
 * What a passwordless attempt passes before any ceremony work: the sign-in limit of its client network,
 * and a tenant whose policy allows passkey sign-in (an unknown tenant is answered exactly like one that
 * does not allow it). Refusals are audited as failed logins, the rate limit's only once per window.
 */
@Injectable()
export class PasskeySignInGate {
  constructor(
    private readonly orm: MikroORM,
    private readonly throttle: LoginThrottle,
    private readonly policies: MfaPolicyStore,
    private readonly failures: LoginFailures,
  ) {}

  /** Whether the tenant's policy allows passkey sign-in (a sign-in page offers it then); no attempt is counted. */
  async openTo(slug: string): Promise<boolean> {
    const tenant = await this.orm.em.fork().findOne(Tenant, { slug: slug.toLowerCase() });
    return tenant !== null && (await this.allows(tenant));
  }

  async admit(slug: string, request: RequestMeta): Promise<Tenant> {
    const admission = await this.throttle.admitNetwork(request.ip);
    const tenant = await this.orm.em.fork().findOne(Tenant, { slug: slug.toLowerCase() });
    if (!admission.admitted) {
      if (admission.firstInWindow) await this.refused(tenant?.id ?? null, null, 'rate_limited', request);
      else this.failures.counted('rate_limited');
      throw tooManyAttempts('Too many sign-in attempts; try again later', admission.retryAfterMs);
    }
    if (!tenant || !(await this.allows(tenant))) throw notEnabled();
    return tenant;
  }

  private async allows(tenant: Tenant): Promise<boolean> {
    const { settings } = await TenantScope.run(tenant.id, () =>
      this.policies.inForce(tenant.id, tenant.mfaPolicyVersion),
    );
    return settings.passkeySignIn && settings.allowedMethods.includes('webauthn');
  }

  /** A refused passwordless attempt, in the audit log as a failed login (with the ceremony's reason). */
  refused(
    tenantId: string | null,
    userId: string | null,
    reason: LoginFailureReason,
    request: RequestMeta,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.failures.record(tenantId, userId, reason, request, { method: 'webauthn', ...details });
  }
}
