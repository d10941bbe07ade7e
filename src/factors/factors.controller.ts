import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, EnrollmentAllowed } from '../common/access/access.decorators.js';
import { actorOf } from '../common/access/principal.js';
import type { SessionPrincipal } from '../sessions/index.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { EnrollTotpCommand } from './commands/enroll-totp.command.js';
import { VerifyFactorCommand } from './commands/verify-factor.command.js';
import { RenameFactorCommand } from './commands/rename-factor.command.js';
import { EnrollPasskeyCommand } from './webauthn/commands/enroll-passkey.command.js';
import { enrollTotpSchema, factorIdSchema, renameFactorSchema, verifyFactorSchema } from './dto/factors.schemas.js';

/** The signed-in user's own factors. */
@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me/factors')
export class FactorsController {
  constructor(private readonly commands: CommandBus) {}

  /** Starts a TOTP enrolment; the secret is shown this once. The factor stays pending until verified. */
  @Post('totp')
  @EnrollmentAllowed()
  @HttpCode(201)
  @ApiJsonBody(enrollTotpSchema)
  @ApiProblems(400, 401, 403, 409)
  async enrollTotp(
    @CurrentPrincipal() p: SessionPrincipal,
    @Body(new ZodPipe(enrollTotpSchema)) body: z.infer<typeof enrollTotpSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.commands.execute(new EnrollTotpCommand(p.tenantId, p.userId, body.label, actorOf(p), meta, p.session));
  }

  /**
   * Starts a passkey registration: `options` go to `navigator.credentials.create()`, and the new credential
   * to `POST /v1/me/factors/{factorId}/verify` as `{ credential }` within 5 minutes.
   */
  @Post('webauthn')
  @EnrollmentAllowed()
  @HttpCode(201)
  @ApiJsonBody(enrollTotpSchema)
  @ApiProblems(400, 401, 403, 409)
  async enrollPasskey(
    @CurrentPrincipal() p: SessionPrincipal,
    @Body(new ZodPipe(enrollTotpSchema)) body: z.infer<typeof enrollTotpSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.commands.execute(
      new EnrollPasskeyCommand(p.tenantId, p.userId, body.label, actorOf(p), meta, p.session),
    );
  }

  @Post(':factorId/verify')
  @EnrollmentAllowed()
  @HttpCode(200)
  @ApiJsonBody(verifyFactorSchema)
  @ApiProblems(400, 401, 403)
  async verify(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('factorId', new ZodPipe(factorIdSchema)) factorId: string,
    @Body(new ZodPipe(verifyFactorSchema)) body: z.infer<typeof verifyFactorSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.commands.execute(
      new VerifyFactorCommand(p.tenantId, p.userId, factorId, body, actorOf(p), meta, p.session.id),
    );
  }

  /** Gives one of the user's own factors a new name (a passkey's "Work laptop"); another user's id is 404. */
  @Patch(':factorId')
  @HttpCode(200)
  @ApiJsonBody(renameFactorSchema)
  @ApiProblems(400, 401, 403, 404)
  async rename(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('factorId', new ZodPipe(factorIdSchema)) factorId: string,
    @Body(new ZodPipe(renameFactorSchema)) body: z.infer<typeof renameFactorSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.commands.execute(new RenameFactorCommand(p.tenantId, p.userId, factorId, body.label, actorOf(p), meta));
  }
}
