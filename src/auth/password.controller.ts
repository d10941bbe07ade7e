import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { RequestMeta } from '../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { changePasswordSchema } from '../identity/index.js';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { ChangePasswordCommand } from './commands/change-password.command.js';
import type { UserPrincipal } from '../common/access/principal.js';

@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me/password')
export class PasswordController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(204)
  @ApiJsonBody(changePasswordSchema)
  @ApiProblems(400, 401, 403, 429, 503)
  async change(
    @CurrentPrincipal() p: UserPrincipal,
    @Body(new ZodPipe(changePasswordSchema)) body: z.infer<typeof changePasswordSchema>,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.commands.execute(new ChangePasswordCommand(p.tenantId, p.userId, p.session.id, body, meta));
  }
}
