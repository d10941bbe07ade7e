import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import type { UserPrincipal } from '../auth/principal.js';
import { ApiProblems } from '../common/http/openapi.js';
import { tenantNotFound } from './identity.errors.js';
import { UsersDirectory } from './users-directory.js';

@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(private readonly directory: UsersDirectory) {}

  @Get()
  @ApiProblems(401, 403)
  async me(@CurrentPrincipal() p: UserPrincipal) {
    const [user, tenant] = await Promise.all([
      this.directory.requireUser(p.tenantId, p.userId),
      this.directory.findTenant(p.tenantId),
    ]);
    if (!tenant) throw tenantNotFound();
    return {
      id: user.id,
      email: user.email,
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      roles: user.roles,
      session: {
        id: p.session.id,
        aal: p.session.aal,
        amr: p.session.amr,
        degraded: p.session.amr.includes('backup_code'),
        expiresAt: p.session.expiresAt.toISOString(),
      },
    };
  }
}
