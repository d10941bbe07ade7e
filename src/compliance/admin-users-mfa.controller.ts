import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import type { TenantPrincipal } from '../common/access/principal.js';
import { ApiProblems, ApiQueryFrom } from '../http/openapi.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { AdminUsersMfa } from './admin-users-mfa.read.js';
import { type AdminUsersMfaQuery, adminUsersMfaQuerySchema } from './dto/admin-users-mfa.schemas.js';

/** The tenant's users with their MFA standing (`GET /v1/admin/users`). */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/users')
export class AdminUsersMfaController {
  constructor(private readonly users: AdminUsersMfa) {}

  /** Keyset-paged by id; `mfa` filters in the database, so a page is full while more users match. */
  @Get()
  @RequirePermission('users:read', { apiKeys: true })
  @ApiQueryFrom(adminUsersMfaQuerySchema)
  @ApiProblems(400, 401, 403)
  list(@CurrentPrincipal() p: TenantPrincipal, @Query(new ZodPipe(adminUsersMfaQuerySchema)) q: AdminUsersMfaQuery) {
    return this.users.page(p.tenantId, { cursor: q.cursor, filter: q.mfa, limit: q.limit });
  }
}
