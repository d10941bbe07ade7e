import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { actorOf, type TenantPrincipal, type UserPrincipal } from '../../common/access/principal.js';
import type { RequestMeta } from '../../common/actor.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { ApiJsonBody, ApiProblems } from '../../http/openapi.js';
import { ReqMeta } from '../../http/request-meta.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import { uuidSchema } from '../dto/identity.schemas.js';
import { RegisteredApp } from './app.entity.js';
import { registerAppSchema } from './app.schemas.js';
import { RegisterAppCommand } from './commands/register-app.command.js';
import { RemoveAppCommand } from './commands/remove-app.command.js';

const viewOf = (a: RegisteredApp) => ({
  id: a.id,
  name: a.name,
  kind: a.kind,
  createdAt: a.createdAt.toISOString(),
  lastUsedAt: a.lastUsedAt?.toISOString() ?? null,
});

/** The tenant's apps: sign-ins through an app carry its key, and the policy for its kind applies. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/apps')
export class AppsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly uow: UnitOfWork,
  ) {}

  @Get()
  @RequirePermission('tenant:manage')
  @ApiProblems(401, 403)
  async list(@CurrentPrincipal() p: TenantPrincipal) {
    const apps = await this.uow
      .reader()
      .find(RegisteredApp, { tenantId: p.tenantId, revokedAt: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return { apps: apps.map(viewOf) };
  }

  /** The key is shown this once. */
  @Post()
  @HttpCode(201)
  @RequirePermission('tenant:manage')
  @ApiJsonBody(registerAppSchema)
  @ApiProblems(400, 401, 403)
  async register(
    @CurrentPrincipal() p: UserPrincipal,
    @Body(new ZodPipe(registerAppSchema)) body: z.infer<typeof registerAppSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    const command = new RegisterAppCommand(p.tenantId, body, actorOf(p), meta, p.session);
    const { app, key } = await this.commands.execute(command);
    return { ...viewOf(app), key };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('tenant:manage')
  @ApiProblems(400, 401, 403, 404)
  async remove(
    @CurrentPrincipal() p: TenantPrincipal,
    @Param('id', new ZodPipe(uuidSchema)) id: string,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.commands.execute(new RemoveAppCommand(p.tenantId, id, actorOf(p), meta));
  }
}
