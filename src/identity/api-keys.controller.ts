import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import { actorOf, type TenantPrincipal, type UserPrincipal } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { ApiKeyList } from './api-key-list.js';
import { CreateApiKeyCommand } from './commands/create-api-key.command.js';
import { RevokeApiKeyCommand } from './commands/revoke-api-key.command.js';
import { createApiKeySchema, uuidSchema } from './dto/identity.schemas.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/api-keys')
export class ApiKeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly keys: ApiKeyList,
  ) {}

  /** The tenant's live keys; the keys themselves are never shown again. */
  @Get()
  @RequirePermission('tenant:manage')
  @ApiProblems(401, 403)
  async list(@CurrentPrincipal() p: TenantPrincipal) {
    return { apiKeys: await this.keys.live(p.tenantId) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('tenant:manage')
  @ApiProblems(400, 401, 403, 404)
  async revoke(
    @CurrentPrincipal() p: TenantPrincipal,
    @Param('id', new ZodPipe(uuidSchema)) id: string,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.commands.execute(new RevokeApiKeyCommand(p.tenantId, id, actorOf(p), meta));
  }

  @Post()
  @HttpCode(201)
  @RequirePermission('tenant:manage')
  @ApiJsonBody(createApiKeySchema)
  @ApiProblems(400, 401, 403)
  async create(
    // API keys may not call this route (the guard refuses them): a key must not mint keys.
    @CurrentPrincipal() p: UserPrincipal,
    @Body(new ZodPipe(createApiKeySchema)) body: z.infer<typeof createApiKeySchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { apiKey, key } = await this.commands.execute(
      new CreateApiKeyCommand(p.tenantId, body, actorOf(p), meta, p.session),
    );
    return { id: apiKey.id, name: apiKey.name, scopes: apiKey.scopes, key, createdAt: apiKey.createdAt.toISOString() };
  }
}
