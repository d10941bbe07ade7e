import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, Public, RequirePermission } from '../../common/access/access.decorators.js';
import { actorOf, type UserPrincipal } from '../../common/access/principal.js';
import type { RequestMeta } from '../../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../../http/openapi.js';
import { ReqMeta } from '../../http/request-meta.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import { uuidSchema } from '../../identity/index.js';
import { openMfaResetSchema } from './dto/mfa-reset.schemas.js';
import { OpenMfaResetCommand } from './commands/open-mfa-reset.command.js';
import { RequestMfaResetCommand } from './commands/request-mfa-reset.command.js';

/** An admin resets a user's MFA; the user opens the mailed link with their password and enrols anew. */
@ApiTags('admin')
@Controller()
export class MfaResetController {
  constructor(private readonly commands: CommandBus) {}

  @Post('v1/admin/users/:id/mfa-reset')
  @HttpCode(202)
  @ApiBearerAuth()
  @RequirePermission('tenant:manage')
  @ApiProblems(400, 401, 403, 404)
  async request(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('id', new ZodPipe(uuidSchema)) userId: string,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.commands.execute(new RequestMfaResetCommand(p.tenantId, userId, actorOf(p), meta));
    return { status: 'sent' };
  }

  @Post('v1/auth/mfa-reset')
  @HttpCode(200)
  @Public()
  @ApiJsonBody(openMfaResetSchema)
  @ApiProblems(400, 401, 410, 429)
  async open(
    @Body(new ZodPipe(openMfaResetSchema)) body: z.infer<typeof openMfaResetSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { token } = await this.commands.execute(new OpenMfaResetCommand(body.token, body.password, meta));
    return { status: 'mfa_enrollment_required', token };
  }
}
