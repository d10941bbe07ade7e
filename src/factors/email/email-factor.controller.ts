import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, EnrollmentAllowed } from '../../common/access/access.decorators.js';
import { actorOf } from '../../common/access/principal.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import type { RequestMeta } from '../../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../../http/openapi.js';
import { ReqMeta } from '../../http/request-meta.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import { EnrollEmailFactorCommand } from './commands/enroll-email-factor.command.js';
import { enrollEmailFactorSchema } from './dto/email-factor.schemas.js';

/** The signed-in user's e-mail factors; verification goes through `POST /v1/me/factors/{id}/verify`. */
@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me/factors')
export class EmailFactorController {
  constructor(private readonly commands: CommandBus) {}

  /** Starts an e-mail factor (default: the account's address) and mails it a code. */
  @Post('email')
  @EnrollmentAllowed()
  @HttpCode(201)
  @ApiJsonBody(enrollEmailFactorSchema)
  @ApiProblems(400, 401, 403, 409, 429)
  async enrollEmail(
    @CurrentPrincipal() p: SessionPrincipal,
    @Body(new ZodPipe(enrollEmailFactorSchema)) body: z.infer<typeof enrollEmailFactorSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.commands.execute(
      new EnrollEmailFactorCommand(p.tenantId, p.userId, body.email, actorOf(p), meta, p.session),
    );
  }
}
