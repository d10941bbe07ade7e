import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { type MfaOverview, mfaOverviewOf } from '../factors/index.js';
import type { UserPrincipal } from '../common/access/principal.js';
import { readOf } from '../common/access/principal-read.js';
import { MFA_OF_USER } from './standings/mfa-of-user.sql.js';
import type { App } from '../identity/index.js';
import type { Role } from '../common/access/roles.js';
import {
  evaluateMfa,
  isInScope,
  type MfaCompliance,
  type MfaMethod,
  type MfaPolicySettings,
  MfaPolicyStore,
  MfaScopeStart,
} from '../policy/index.js';

export interface UserMfaStatus {
  compliance: MfaCompliance;
  /** The policy applies to the user (MFA is required of them, now or after their grace period). */
  required: boolean;
  policy: MfaPolicySettings;
  /** The user's roles, which decide the methods the policy accepts from them (`acceptedMethodsFor`). */
  roles: readonly Role[];
  overview: MfaOverview;
}

/**
 * A user's standing under their tenant's policy: the engine's verdict on the policy in force, their
 * active factors and their recorded scope start. A user in scope without a record (an event lost in
 * a crash) is recorded now, so their clock starts at the latest when they are first seen.
 */
@Injectable()
export class MfaStatusReader {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly policies: MfaPolicyStore,
  ) {}

  /**
   * For a signed-in user whose route read `MFA_OF_USER` with the session: no further query (but to record
   * a missing scope start), the policy coming from the cache the principal's version checks.
   */
  async forUser(subject: UserPrincipal, app: App | null): Promise<UserMfaStatus> {
    const now = this.clock.now();
    const em = this.orm.em.fork();
    const mfa = readOf(subject.reads, MFA_OF_USER);
    const { settings: policy } = await this.policies.inForce(subject.tenantId, subject.tenant.mfaPolicyVersion);
    const required = isInScope(policy, subject.roles);
    const scopeStartedAt = await em.getRepository(MfaScopeStart).syncUserFrom(mfa.scopeStartedAt, subject, policy, now);
    const activeFactorTypes: MfaMethod[] = mfa.factors.map((f) => f.type);
    const compliance = evaluateMfa(
      policy,
      { kind: 'user', roles: subject.roles, activeFactorTypes, scopeStartedAt },
      app,
      now,
    );
    return {
      compliance,
      required,
      policy,
      roles: subject.roles,
      overview: mfaOverviewOf(mfa.factors, mfa.backupCodesRemaining),
    };
  }
}
