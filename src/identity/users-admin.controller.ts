import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import { actorOf, type TenantPrincipal, type UserPrincipal } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { ChangeUserRolesCommand } from './commands/change-user-roles.command.js';
import { CreateUserCommand } from './commands/create-user.command.js';
import { changeRolesSchema, createUserSchema, uuidSchema } from './dto/identity.schemas.js';
import { User } from './user.entity.js';
import { UsersDirectory } from './users-directory.js';

const userView = (u: User) => ({ id: u.id, email: u.email, roles: u.roles, createdAt: u.createdAt.toISOString() });

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/users')
export class UsersAdminController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: UsersDirectory,
  ) {}

  @Get(':id')
  @RequirePermission('users:read', { apiKeys: true })
  @ApiProblems(400, 401, 403, 404)
  async get(@CurrentPrincipal() p: TenantPrincipal, @Param('id', new ZodPipe(uuidSchema)) id: string) {
    return userView(await this.directory.requireUser(p.tenantId, id));
  }

  @Post()
  @HttpCode(201)
  @RequirePermission('tenant:manage')
  @ApiJsonBody(createUserSchema)
  @ApiProblems(400, 401, 403, 409)
  async create(
    // API keys may not call this route or the next (the guard refuses them): they are no session to re-auth.
    @CurrentPrincipal() p: UserPrincipal,
    @Body(new ZodPipe(createUserSchema)) body: z.infer<typeof createUserSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    return userView(await this.commands.execute(new CreateUserCommand(p.tenantId, body, actorOf(p), meta, p.session)));
  }

  @Patch(':id')
  @RequirePermission('tenant:manage')
  @ApiJsonBody(changeRolesSchema)
  @ApiProblems(400, 401, 403, 404, 409)
  async changeRoles(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('id', new ZodPipe(uuidSchema)) id: string,
    @Body(new ZodPipe(changeRolesSchema)) body: z.infer<typeof changeRolesSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    return userView(
      await this.commands.execute(new ChangeUserRolesCommand(p.tenantId, id, body.roles, actorOf(p), meta, p.session)),
    );
  }
}
