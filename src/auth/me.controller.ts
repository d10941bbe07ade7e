import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/openapi.js';
import { isDegraded, MfaOverviewReader } from '../factors/index.js';
import { tenantNotFound, UsersDirectory } from '../identity/index.js';
import { MfaStatusReader } from '../compliance/index.js';
import { CurrentPrincipal, EnrollmentAllowed, StepUpAllowed } from '../common/access/access.decorators.js';
import { type SessionPrincipal, sessionView } from '../sessions/index.js';

/** The signed-in user, their session and their MFA. Here, not in identity: it reads factors too. */
@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(
    private readonly directory: UsersDirectory,
    private readonly mfa: MfaOverviewReader,
    private readonly status: MfaStatusReader,
  ) {}

  @Get()
  @EnrollmentAllowed()
  @StepUpAllowed()
  @ApiProblems(401, 403)
  async me(@CurrentPrincipal() p: SessionPrincipal) {
    const [user, tenant, mfa, standing] = await Promise.all([
      this.directory.requireUser(p.tenantId, p.userId),
      this.directory.findTenant(p.tenantId),
      this.mfa.forUser(p.tenantId, p.userId),
      this.status.forUser(p, null),
    ]);
    const { compliance } = standing;
    if (!tenant) throw tenantNotFound();
    return {
      id: user.id,
      email: user.email,
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      roles: user.roles,
      session: {
        ...sessionView(p.session, ['id', 'aal', 'amr']),
        degraded: isDegraded(p.session),
        ...sessionView(p.session, ['app', 'expiresAt']),
      },
      mfa: {
        ...mfa,
        required: standing.required,
        status: compliance.status,
        ...('deadline' in compliance ? { deadline: compliance.deadline.toISOString() } : {}),
      },
    };
  }
}
