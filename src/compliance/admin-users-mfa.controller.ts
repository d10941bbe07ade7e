import { Controller, Get, Logger, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import type { TenantPrincipal } from '../common/access/principal.js';
import { Clock } from '../common/clock.js';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import { ApiProblems, ApiQueryFrom } from '../http/openapi.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { type AdminUsersMfaQuery, adminUsersMfaQuerySchema } from './dto/admin-users-mfa.schemas.js';
import { MfaStandings } from './standings/mfa-standings.js';
import type { UserMfaRow } from './standings/mfa-standings.sql.js';
import { countsAsEnrolled, type EnforcementRules, evaluateMfa, MfaPolicyStore } from '../policy/index.js';

/**
 * The tenant's users with their MFA standing (`GET /v1/admin/users`). Here, not in identity, because
 * the standing needs the policy and factors, which identity must not depend on.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/users')
export class AdminUsersMfaController {
  private readonly logger = new Logger('AdminUsersMfa');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly policies: MfaPolicyStore,
    private readonly clock: Clock,
  ) {}

  /** Keyset-paged by id; `mfa` filters in the database, so a page is full while more users match. */
  @Get()
  @RequirePermission('users:read', { apiKeys: true })
  @ApiQueryFrom(adminUsersMfaQuerySchema)
  @ApiProblems(400, 401, 403)
  async list(
    @CurrentPrincipal() p: TenantPrincipal,
    @Query(new ZodPipe(adminUsersMfaQuerySchema)) q: AdminUsersMfaQuery,
  ) {
    const now = this.clock.now();
    const { settings: policy } = await this.policies.current(p.tenantId);
    const page = await new MfaStandings(this.uow.reader()).page(p.tenantId, policy, now, {
      after: q.cursor,
      filter: q.mfa,
      limit: q.limit + 1,
    });
    const users = page.slice(0, q.limit);
    return {
      users: users.map((u) => this.view(policy, u, now)),
      nextCursor: page.length > q.limit ? users.at(-1)!.id : null,
    };
  }

  /** The engine has the last word on each user's status; the SQL only chose which users to list. */
  private view(policy: EnforcementRules, u: UserMfaRow, now: Date) {
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
        enrolled: countsAsEnrolled(policy, u.activeFactorTypes),
        factorTypes: u.activeFactorTypes,
        status: compliance.status,
        deadline: 'deadline' in compliance ? compliance.deadline.toISOString() : null,
      },
    };
  }
}
