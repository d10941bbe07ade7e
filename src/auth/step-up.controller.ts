import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { RequestMeta } from '../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { CurrentPrincipal, StepUpAllowed } from '../common/access/access.decorators.js';
import { sessionView } from '../sessions/index.js';
import { StepUpCommand } from './commands/step-up.command.js';
import { stepUpSchema } from './dto/step-up.schema.js';
import type { SessionPrincipal } from '../sessions/index.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('v1/auth/step-up')
export class StepUpController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * Verifies a factor for this session: sensitive changes are allowed for the re-auth window from now,
   * and a pending step-up is cleared. The answer carries the session's new token; the old one is dead.
   */
  @Post()
  @HttpCode(200)
  @StepUpAllowed()
  @ApiJsonBody(stepUpSchema)
  @ApiProblems(400, 401, 403, 429, 503)
  async stepUp(
    @CurrentPrincipal() p: SessionPrincipal,
    @Body(new ZodPipe(stepUpSchema)) body: z.infer<typeof stepUpSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { session, token } = await this.commands.execute(new StepUpCommand(p, body, meta));
    return { token, session: sessionView(session, ['id', 'expiresAt', 'authenticatedAt', 'aal', 'amr']) };
  }
}
