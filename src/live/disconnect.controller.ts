import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import { actorOf, type TenantPrincipal } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { uuidSchema } from '../identity/index.js';
import { DisconnectCommand, type DisconnectTarget } from './commands/disconnect.command.js';
import { disconnectSchema } from './dto/disconnect.schema.js';

const uuid = new ZodPipe(uuidSchema);

const ApiDisconnectAccepted = () =>
  ApiAcceptedResponse({
    description: 'The sessions are flagged step-up-required and their sockets closed on every node that answered',
    schema: {
      type: 'object',
      required: ['sessionsAffected', 'socketsDisconnected', 'allNodesReached'],
      properties: {
        sessionsAffected: { type: 'integer', description: 'live sessions flagged' },
        socketsDisconnected: { type: 'integer', description: 'sockets closed, over every node that answered' },
        allNodesReached: {
          type: 'boolean',
          description: 'false when a node did not answer in time: the flag holds, its sockets close when it hears',
        },
      },
    },
  });
type DisconnectBody = z.infer<typeof disconnectSchema>;

/**
 * The Disconnect API: admins, and integrations such as a SIEM holding an API key with
 * `sessions:disconnect`, force a user's live connections through a fresh factor check.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin')
export class DisconnectController {
  constructor(private readonly commands: CommandBus) {}

  @Post('users/:id/disconnect')
  @HttpCode(202)
  @RequirePermission('tenant:manage', { apiKeyScope: 'sessions:disconnect' })
  @ApiJsonBody(disconnectSchema)
  @ApiProblems(400, 401, 403, 404)
  @ApiDisconnectAccepted()
  disconnectUser(
    @CurrentPrincipal() p: TenantPrincipal,
    @Param('id', uuid) userId: string,
    @Body(new ZodPipe(disconnectSchema)) body: DisconnectBody,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.disconnect(p, { userId }, body, meta);
  }

  @Post('sessions/:sessionId/disconnect')
  @HttpCode(202)
  @RequirePermission('tenant:manage', { apiKeyScope: 'sessions:disconnect' })
  @ApiJsonBody(disconnectSchema)
  @ApiProblems(400, 401, 403, 404)
  @ApiDisconnectAccepted()
  disconnectSession(
    @CurrentPrincipal() p: TenantPrincipal,
    @Param('sessionId', uuid) sessionId: string,
    @Body(new ZodPipe(disconnectSchema)) body: DisconnectBody,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.disconnect(p, { sessionId }, body, meta);
  }

  private disconnect(p: TenantPrincipal, target: DisconnectTarget, body: DisconnectBody, meta: RequestMeta) {
    return this.commands.execute(new DisconnectCommand(p.tenantId, target, body.reason, actorOf(p), meta));
  }
}
