import { Get, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { CurrentPrincipal, EnrollmentAllowed, Public } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import type { RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors/domain-error.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { MFA_RESET_TOKEN_PREFIX, OpenMfaResetCommand } from '../factors/index.js';
import { ReqMeta } from '../http/request-meta.js';
import { setSessionCookie } from '../http/session-cookie.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { FormTokens } from './form-tokens.js';
import { formFailure, PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';

/** A reset token (`sgr_` + 43 base64url characters), alone or inside the pasted link. */
const RESET_TOKEN = new RegExp(`${MFA_RESET_TOKEN_PREFIX}[A-Za-z0-9_-]{43}`);

const WORDS = {
  noToken: 'Open the link from the e-mail again, or paste the whole link into the field.',
  noPassword: 'Enter your password.',
  wrongPassword: 'That is not your password. Check it and try again.',
  expired: 'This link has expired or was already used. Ask your administrator to reset your two-step sign-in again.',
} as const;

/**
 * The page an administrator's MFA-reset e-mail links to: `/account/mfa-reset#token=…`. The token rides in
 * the fragment, which browsers send to no server and put in no Referer, so it reaches no access log, proxy
 * or analytics; the page's script moves it into the form and out of the address bar. Without a script, the
 * user pastes the link into the form. The form posts it with the password (the same command as
 * `POST /v1/auth/mfa-reset`), which answers a session that may only enrol: the page cookie takes it,
 * and the user sets up a new method. The old ones keep working until that new one is verified.
 */
@PageController('account/mfa-reset')
export class MfaResetPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
    private readonly tokens: FormTokens,
  ) {}

  @Get()
  @Public()
  form(@Req() req: Request, @Res() res: Response): void {
    this.show(req, res, { token: '', error: null });
  }

  @Post()
  @Public()
  async redeem(@Req() req: Request, @ReqMeta() meta: RequestMeta, @Res() res: Response): Promise<void> {
    const pasted = typeof req.body?.token === 'string' ? req.body.token.slice(0, 2048) : '';
    const token = RESET_TOKEN.exec(pasted)?.[0] ?? null;
    const password = typeof req.body?.password === 'string' ? req.body.password : '';
    if (!token) return this.show(req, res, { token: '', error: WORDS.noToken }, 400);
    if (!password || password.length > 256) return this.show(req, res, { token, error: WORDS.noPassword }, 400);
    let opened;
    try {
      opened = await this.commands.execute(new OpenMfaResetCommand(token, password, meta));
    } catch (error) {
      const failure = formFailure(error, ['invalid_credentials', 'challenge_expired', 'too_many_attempts']);
      const code = error instanceof DomainError ? error.code : null;
      if (code === 'challenge_expired') return this.show(req, res, { token: '', error: WORDS.expired }, 410);
      const words = code === 'invalid_credentials' ? WORDS.wrongPassword : failure.message;
      return this.show(req, res, { token, error: words }, failure.status);
    }
    // The command does not say when the session ends; the cookie may outlive it but never its longest life.
    const expires = new Date(this.clock.now().getTime() + this.config.absoluteTimeoutMs);
    setSessionCookie(res, opened.token, expires, this.config.publicUrl);
    res.redirect(303, '/account/mfa-reset/redeemed');
  }

  @Get('redeemed')
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async redeemed(@CurrentPrincipal() p: SessionPrincipal, @Res() res: Response): Promise<void> {
    if (!p.session.mfaResetId) return res.redirect(303, '/account');
    const { frame, mfa } = await this.frames.forUser(p, 'Set up a new sign-in method', 'security');
    this.pages.send(res, 'mfa-reset-redeemed', frame, { oldFactors: mfa.overview.factors.length });
  }

  private show(req: Request, res: Response, state: { token: string; error: string | null }, status = 200): void {
    const formToken = this.tokens.forVisitor(req, res);
    this.pages.send(res, 'mfa-reset', { title: 'Reset your two-step sign-in', formToken }, state, status);
  }
}
