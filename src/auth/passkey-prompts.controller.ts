import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, Public, StepUpAllowed } from '../common/access/access.decorators.js';
import { ApiProblems } from '../http/openapi.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { BeginPasskeyAssertionCommand } from './commands/begin-passkey-assertion.command.js';

/**
 * The options a browser needs to sign with a passkey (`startAuthentication({ optionsJSON: options })` of
 * @simplewebauthn/browser): a challenge good for 5 minutes, once, for this sign-in or this session only.
 */
@ApiTags('auth')
@Controller('v1/auth')
export class PasskeyPromptsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('challenges/:challengeId/webauthn')
  @HttpCode(200)
  @Public()
  @ApiProblems(400, 404, 409, 410, 429)
  signIn(@Param('challengeId', new ZodPipe(z.uuid())) challengeId: string) {
    return this.commands.execute(new BeginPasskeyAssertionCommand({ challengeId }));
  }

  @Post('step-up/webauthn')
  @HttpCode(200)
  @StepUpAllowed()
  @ApiBearerAuth()
  @ApiProblems(401, 403, 404, 409, 429)
  stepUp(@CurrentPrincipal() principal: SessionPrincipal) {
    return this.commands.execute(new BeginPasskeyAssertionCommand({ principal }));
  }
}
