import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import { actorOf, type TenantPrincipal } from '../auth/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../common/http/openapi.js';
import { ReqMeta } from '../common/http/request-meta.js';
import { ZodPipe } from '../common/http/zod-body.pipe.js';
import { CreateApiKeyCommand } from './commands/create-api-key.command.js';
import { createApiKeySchema } from './dto/identity.schemas.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/api-keys')
export class ApiKeysController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('tenant:manage')
  @ApiJsonBody(createApiKeySchema)
  @ApiProblems(400, 401, 403)
  async create(
    @CurrentPrincipal() p: TenantPrincipal,
    @Body(new ZodPipe(createApiKeySchema)) body: z.infer<typeof createApiKeySchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { apiKey, key } = await this.commands.execute(new CreateApiKeyCommand(p.tenantId, body, actorOf(p), meta));
    return { id: apiKey.id, name: apiKey.name, scopes: apiKey.scopes, key, createdAt: apiKey.createdAt.toISOString() };
  }
}
