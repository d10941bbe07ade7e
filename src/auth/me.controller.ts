import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/openapi.js';
import { isDegraded } from '../factors/index.js';
import { MFA_OF_USER, MfaStatusReader } from '../compliance/index.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { CurrentPrincipal, EnrollmentAllowed, StepUpAllowed } from '../common/access/access.decorators.js';
import { type SessionPrincipal, sessionView } from '../sessions/index.js';

/**
 * The signed-in user, their session and their MFA. Here, not in identity: it reads factors too. One
 * query in all: the guard's, which reads the MFA status with the session, user and tenant.
 */
@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(private readonly status: MfaStatusReader) {}

  @Get()
  @ReadsWithPrincipal(MFA_OF_USER)
  @EnrollmentAllowed()
  @StepUpAllowed()
  @ApiProblems(401, 403)
  async me(@CurrentPrincipal() p: SessionPrincipal) {
    const { compliance, required, overview } = await this.status.forUser(p, null);
    return {
      id: p.userId,
      email: p.email,
      tenant: { id: p.tenantId, slug: p.tenant.slug, name: p.tenant.name },
      roles: p.roles,
      session: {
        ...sessionView(p.session, ['id', 'aal', 'amr']),
        degraded: isDegraded(p.session),
        ...sessionView(p.session, ['app', 'expiresAt']),
      },
      mfa: {
        ...overview,
        required,
        status: compliance.status,
        ...('deadline' in compliance ? { deadline: compliance.deadline.toISOString() } : {}),
      },
    };
  }
}
