import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { RequestMeta } from '../common/actor.js';
import { ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { SendChallengeEmailCodeCommand } from './commands/send-challenge-email-code.command.js';
import { Public } from '../common/access/access.decorators.js';

@ApiTags('auth')
@Controller('v1/auth')
export class ChallengeEmailController {
  constructor(private readonly commands: CommandBus) {}

  /** Mails a sign-in code for the challenge to the user's e-mail factor; at most one a minute (429). */
  @Post('challenges/:challengeId/email')
  @HttpCode(202)
  @Public()
  @ApiProblems(400, 404, 410, 429)
  async sendEmailCode(
    @Param('challengeId', new ZodPipe(z.uuid())) challengeId: string,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.commands.execute(new SendChallengeEmailCodeCommand(challengeId, meta));
  }
}
