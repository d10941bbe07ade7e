import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import { actorOf, type TenantPrincipal } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { UsersDirectory } from '../identity/index.js';
import { RevokeSessionCommand } from './commands/revoke-session.command.js';
import { assertMaySeeSessionsOf, mayManageAdmins } from './admin-session-access.js';
import { ListSessionsQuery } from './queries/list-sessions.query.js';

const uuid = new ZodPipe(z.uuid());

/** Admins and managers (`sessions:manage`) see and end a member's sessions. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin')
export class AdminSessionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly directory: UsersDirectory,
  ) {}

  @Get('users/:id/sessions')
  @RequirePermission('sessions:manage', { apiKeys: true })
  @ApiProblems(400, 401, 403, 404)
  async list(@CurrentPrincipal() p: TenantPrincipal, @Param('id', uuid) userId: string) {
    const user = await this.directory.requireUser(p.tenantId, userId);
    assertMaySeeSessionsOf(p, user.roles);
    const current = p.kind === 'user' ? p.session.id : null;
    return { sessions: await this.queries.execute(new ListSessionsQuery(p.tenantId, userId, current)) };
  }

  @Delete('sessions/:sessionId')
  @HttpCode(204)
  @RequirePermission('sessions:manage', { apiKeys: true })
  @ApiProblems(400, 401, 403, 404)
  async revoke(
    @CurrentPrincipal() p: TenantPrincipal,
    @Param('sessionId', uuid) id: string,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.commands.execute(
      new RevokeSessionCommand(
        p.tenantId,
        id,
        { kind: 'tenant', includingAdmins: mayManageAdmins(p) },
        'admin_revoked',
        actorOf(p),
        meta,
      ),
    );
  }
}
