import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { presentedDeviceToken, setDeviceCookie } from './device-cookie.js';
import { APP_KEY_HEADER } from '../identity/index.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { RevokeSessionCommand, sessionView } from '../sessions/index.js';
import { CurrentPrincipal, Public, EnrollmentAllowed, StepUpAllowed } from '../common/access/access.decorators.js';
import { LoginCommand } from './commands/login.command.js';
import { VerifyMfaChallengeCommand } from './commands/verify-mfa-challenge.command.js';
import { verifyChallengeSchema } from './dto/challenge.schema.js';
import { loginSchema } from './dto/login.schema.js';
import { actorOf, type UserPrincipal } from '../common/access/principal.js';

/** What a sign-in's answer shows of the session it opened. */
const OPENED_SESSION = ['id', 'expiresAt', 'aal', 'amr'] as const;

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiJsonBody(loginSchema)
  @ApiProblems(400, 401, 429, 503)
  async login(
    @Body(new ZodPipe(loginSchema)) body: z.infer<typeof loginSchema>,
    @ReqMeta() meta: RequestMeta,
    @Req() req: Request,
  ) {
    const deviceToken = presentedDeviceToken(req, body.deviceToken);
    const appKey = body.appKey ?? req.get(APP_KEY_HEADER);
    const result = await this.commands.execute(new LoginCommand({ ...body, deviceToken, appKey }, meta));
    if (result.status === 'mfa_required') {
      const { challenge } = result;
      return {
        status: result.status,
        challengeId: challenge.id,
        methods: challenge.methods,
        expiresAt: challenge.expiresAt.toISOString(),
      };
    }
    if (result.status === 'mfa_enrollment_required') {
      return { status: result.status, token: result.token, allowedMethods: result.allowedMethods };
    }
    return {
      status: result.status,
      token: result.token,
      session: sessionView(result.session, OPENED_SESSION),
      ...(result.enrollmentDeadline ? { mfa: { enrollmentDeadline: result.enrollmentDeadline.toISOString() } } : {}),
    };
  }

  @Post('challenges/:challengeId/verify')
  @HttpCode(200)
  @Public()
  @ApiJsonBody(verifyChallengeSchema)
  @ApiProblems(400, 401, 404, 410, 429, 503)
  async verifyChallenge(
    @Param('challengeId', new ZodPipe(z.uuid())) challengeId: string,
    @Body(new ZodPipe(verifyChallengeSchema)) body: z.infer<typeof verifyChallengeSchema>,
    @ReqMeta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ) {
    const opened = await this.commands.execute(new VerifyMfaChallengeCommand(challengeId, body, meta));
    if (opened.enrollmentRequired) {
      return { status: 'mfa_enrollment_required', token: opened.token, ...opened.enrollmentRequired };
    }
    if (opened.device) setDeviceCookie(res, opened.device, this.config);
    return {
      status: 'authenticated',
      token: opened.token,
      session: sessionView(opened.session, OPENED_SESSION),
      ...(opened.device ? { deviceToken: opened.device.token } : {}),
    };
  }

  @Post('logout')
  @EnrollmentAllowed()
  @StepUpAllowed()
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiProblems(401)
  async logout(@CurrentPrincipal() p: UserPrincipal, @ReqMeta() meta: RequestMeta): Promise<void> {
    const own = { kind: 'own', userId: p.userId } as const;
    try {
      await this.commands.execute(new RevokeSessionCommand(p.tenantId, p.session.id, own, 'logout', actorOf(p), meta));
    } catch (error) {
      // A concurrent logout (or revocation) got there first: the session is gone, which is what was asked.
      if (!(error instanceof DomainError && error.code === 'not_found')) throw error;
    }
  }
}
