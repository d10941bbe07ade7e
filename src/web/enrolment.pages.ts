import { Get, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, EnrollmentAllowed } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { actorOf } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { EnrollTotpCommand, VerifyFactorCommand } from '../factors/index.js';
import { ReqMeta } from '../http/request-meta.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { EnrolmentCookies } from './enrolment-cookies.js';
import { continueAfterVerification, startRefusal } from './enrolment-outcome.js';
import { formFailure, PageController } from './page-controller.js';
import { EnrolmentViews } from './enrolment-views.js';

/** What the form sends; a malformed code is refused like a wrong one, by the command. */
export const codeForm = z.object({ code: z.string().trim().min(1).max(32) });

/** Refusals of a factor's first code that the form shows above itself, keeping the page. */
export const VERIFY_FAILURES = ['mfa_code_invalid', 'code_already_used', 'too_many_attempts'] as const;

/**
 * Two-step verification set-up: the page that offers the methods the policy allows (the one an enrol-only
 * session is sent to), and an authenticator app's enrolment: its QR code and key, then its first code.
 * The same commands as `POST /v1/me/factors/totp` and `…/{id}/verify`; the key never rides in a URL.
 */
@PageController('account/mfa')
export class EnrolmentPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
    private readonly cookies: EnrolmentCookies,
    private readonly views: EnrolmentViews,
  ) {}

  @Get('set-up')
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async setUp(@CurrentPrincipal() p: SessionPrincipal, @Res() res: Response): Promise<void> {
    await this.views.setUp(p, res, null);
  }

  @Post('totp')
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async startTotp(@CurrentPrincipal() p: SessionPrincipal, @ReqMeta() meta: RequestMeta, @Res() res: Response) {
    let started;
    try {
      started = await this.commands.execute(
        new EnrollTotpCommand(p.tenantId, p.userId, undefined, actorOf(p), meta, p.session),
      );
    } catch (error) {
      const failure = startRefusal(res, error);
      return this.views.setUp(p, res, failure.message, failure.status);
    }
    const { factorId, secret, otpauthUri } = started;
    this.cookies.keepTotp(res, p.session.id, { factorId, secret, otpauthUri });
    res.redirect(303, '/account/mfa/totp');
  }

  @Get('totp')
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async totpPage(@CurrentPrincipal() p: SessionPrincipal, @Req() req: Request, @Res() res: Response) {
    const pending = this.cookies.totpOf(req, p.session.id);
    if (!pending) return res.redirect(303, '/account/mfa/set-up');
    await this.views.totp(p, res, pending, null);
  }

  @Post('totp/verify')
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async verifyTotp(
    @CurrentPrincipal() p: SessionPrincipal,
    @ReqMeta() meta: RequestMeta,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const pending = this.cookies.totpOf(req, p.session.id);
    if (!pending) return res.redirect(303, '/account/mfa/set-up');
    const form = codeForm.safeParse(req.body);
    if (!form.success) return this.views.totp(p, res, pending, 'Enter the 6-digit code from your app.', 400);
    let verified;
    try {
      verified = await this.commands.execute(
        new VerifyFactorCommand(
          p.tenantId,
          p.userId,
          pending.factorId,
          { code: form.data.code },
          actorOf(p),
          meta,
          p.session.id,
        ),
      );
    } catch (error) {
      const failure = formFailure(error, VERIFY_FAILURES);
      return this.views.totp(p, res, pending, failure.message, failure.status);
    }
    this.cookies.dropTotp(res);
    continueAfterVerification(res, p, verified, { cookies: this.cookies, config: this.config });
  }
}
