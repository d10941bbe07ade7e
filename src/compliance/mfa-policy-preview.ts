import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { type EnforcementRules, graceDeadline } from '../policy/index.js';
import { MfaStandings } from './standings/mfa-standings.js';

/** What saving a policy would do to a tenant's users, as `POST /v1/admin/mfa-policy/preview` answers it. */
export interface MfaPolicyPreviewResult {
  /** Users the policy would cover. */
  inScope: number;
  /** Of those, users with an active factor of an allowed method. */
  enrolled: number;
  notEnrolled: number;
  /** The deadline of a user coming into scope now; null when the policy requires no MFA. */
  deadline: string | null;
  /** Not-enrolled users whose deadline (kept scope start + the proposed period) would already have passed. */
  alreadyOverdue: number;
  /** The earliest deadline among not-enrolled users in scope; null when there is none. */
  earliestDeadline: string | null;
}

/**
 * The effect of a proposed policy on a tenant, computed with one aggregate query and without saving
 * anything, so an admin sees who would be caught out (e.g. by a shorter grace period) before saving.
 */
@Injectable()
export class MfaPolicyPreview {
  constructor(private readonly orm: MikroORM) {}

  async preview(tenantId: string, rules: EnforcementRules, now: Date): Promise<MfaPolicyPreviewResult> {
    const scope = await new MfaStandings(this.orm.em.fork()).preview(tenantId, rules, now);
    const earliest = scope.earliestStartNotEnrolled;
    return {
      inScope: scope.inScope,
      enrolled: scope.enrolled,
      notEnrolled: scope.inScope - scope.enrolled,
      deadline: rules.requireMfa ? graceDeadline(rules, now).toISOString() : null,
      alreadyOverdue: scope.alreadyOverdue,
      earliestDeadline: earliest === null ? null : graceDeadline(rules, earliest).toISOString(),
    };
  }
}
