import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import {
  countsAsEnrolled,
  type EnforcementRules,
  evaluateMfa,
  type MfaCompliance,
  MfaPolicyStore,
} from '../policy/index.js';
import type { MfaFilter } from './dto/admin-users-mfa.schemas.js';
import { MfaStandings } from './standings/mfa-standings.js';
import type { UserMfaRow } from './standings/mfa-standings.sql.js';

/** A user as the admin's list shows them (`GET /v1/admin/users`, the console's users page and its CSV). */
export interface AdminUserMfaView {
  id: string;
  email: string;
  roles: UserMfaRow['roles'];
  createdAt: string;
  mfa: {
    enrolled: boolean;
    factorTypes: UserMfaRow['activeFactorTypes'];
    status: MfaCompliance['status'];
    deadline: string | null;
  };
}

/**
 * The tenant's users with their MFA standing under the policy in force, for the JSON API and the pages
 * alike. Here, not in identity, because the standing needs the policy and factors, which identity must
 * not depend on.
 */
@Injectable()
export class AdminUsersMfa {
  private readonly logger = new Logger('AdminUsersMfa');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly policies: MfaPolicyStore,
    private readonly clock: Clock,
  ) {}

  /** Keyset-paged by id; `filter` applies in the database, so a page is full while more users match. */
  async page(
    tenantId: string,
    q: { cursor?: string | undefined; filter?: MfaFilter | undefined; limit: number },
  ): Promise<{ users: AdminUserMfaView[]; nextCursor: string | null }> {
    const now = this.clock.now();
    const { settings: policy } = await this.policies.current(tenantId);
    const page = await new MfaStandings(this.uow.reader()).page(tenantId, policy, now, {
      ...(q.cursor ? { after: q.cursor } : {}),
      ...(q.filter ? { filter: q.filter } : {}),
      limit: q.limit + 1,
    });
    const users = page.slice(0, q.limit);
    return {
      users: users.map((u) => this.view(policy, u, now)),
      nextCursor: page.length > q.limit ? users.at(-1)!.id : null,
    };
  }

  /** One user of the tenant, or null for an unknown id and another tenant's alike. */
  async user(tenantId: string, userId: string): Promise<AdminUserMfaView | null> {
    const now = this.clock.now();
    const { settings: policy } = await this.policies.current(tenantId);
    const row = await new MfaStandings(this.uow.reader()).ofUser(tenantId, policy, now, userId);
    return row ? this.view(policy, row, now) : null;
  }

  /** The engine has the last word on each user's status; the SQL only chose which users to list. */
  private view(policy: EnforcementRules, u: UserMfaRow, now: Date): AdminUserMfaView {
    const compliance = evaluateMfa(
      policy,
      { kind: 'user', roles: u.roles, activeFactorTypes: u.activeFactorTypes, scopeStartedAt: u.scopeStartedAt },
      null,
      now,
    );
    if (compliance.status !== u.sqlStatus)
      this.logger.warn(`MFA status of user ${u.id}: SQL said ${u.sqlStatus}, the engine ${compliance.status}`);
    return {
      id: u.id,
      email: u.email,
      roles: u.roles,
      createdAt: u.createdAt.toISOString(),
      mfa: {
        enrolled: countsAsEnrolled(policy, u.roles, u.activeFactorTypes),
        factorTypes: u.activeFactorTypes,
        status: compliance.status,
        deadline: 'deadline' in compliance ? compliance.deadline.toISOString() : null,
      },
    };
  }
}
