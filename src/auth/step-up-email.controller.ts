import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { RequestMeta } from '../common/actor.js';
import { ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { CurrentPrincipal, StepUpAllowed } from '../common/access/access.decorators.js';
import { SendStepUpEmailCodeCommand } from './commands/send-step-up-email-code.command.js';
import type { SessionPrincipal } from '../sessions/index.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('v1/auth/step-up')
export class StepUpEmailController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * Mails a code for stepping up this session (`POST /v1/auth/step-up` with `method: "email"`) to the
   * user's e-mail factor; it works for this session only. At most one a minute (429).
   */
  @Post('email')
  @StepUpAllowed()
  @HttpCode(202)
  @ApiProblems(401, 403, 404, 429, 503)
  async sendEmailCode(@CurrentPrincipal() p: SessionPrincipal, @ReqMeta() meta: RequestMeta): Promise<void> {
    await this.commands.execute(new SendStepUpEmailCodeCommand(p, meta));
  }
}
