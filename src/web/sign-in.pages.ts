import { Get, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  BeginPasskeyAssertionCommand,
  BeginPasskeySignInCommand,
  PasskeySignInGate,
  SignInWithPasskeyCommand,
  LoginCommand,
  presentedDeviceToken,
  SendChallengeEmailCodeCommand,
  setDeviceCookie,
  VerifyMfaChallengeCommand,
} from '../auth/index.js';
import { CurrentPrincipal, EnrollmentAllowed, Public, StepUpAllowed } from '../common/access/access.decorators.js';
import { actorOf, type UserPrincipal } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { authenticationResponseSchema } from '../factors/index.js';
import { ReqMeta } from '../http/request-meta.js';
import { clearSessionCookie, setSessionCookie } from '../http/session-cookie.js';
import { RevokeSessionCommand } from '../sessions/index.js';
import { FormTokens } from './form-tokens.js';
import { MESSAGES, PASSKEY_MESSAGES, passkeyWords } from './messages.js';
import { formFailure, PageController } from './page-controller.js';
import { credentialFrom, postedAnswer } from './passkey-answers.js';
import { PageRenderer } from './page-renderer.js';
import { dropChallenge, keepChallenge, type PageChallengeMethod, pendingChallenge } from './sign-in-state.js';

const signInForm = z.object({
  tenant: z.string().trim().min(1).max(63),
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(256),
});

/** Refusals of a passkey prompt's start that its script shows as words; anything else is a failure. */
const PROMPT_FAILURES = [
  'not_found',
  'challenge_expired',
  'too_many_attempts',
  'conflict',
  'passkeys_unavailable',
] as const;

const METHOD_NAMES: Record<PageChallengeMethod, string> = {
  totp: 'Authenticator app',
  email: 'E-mail code',
  webauthn: 'Passkey',
  backup_code: 'Backup code',
};

/** Sign-in with a password, then the second factor; sign-out. The same commands as `/v1/auth`. */
@PageController('account')
export class SignInPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
    private readonly pages: PageRenderer,
    private readonly tokens: FormTokens,
    private readonly passkeySignIn: PasskeySignInGate,
  ) {}

  @Get('sign-in')
  @Public()
  async signInPage(@Query('tenant') tenant: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const prefill = typeof tenant === 'string' ? tenant.slice(0, 63) : '';
    await this.showSignIn(req, res, { tenant: prefill, email: '', error: null });
  }

  /**
   * Options for a sign-in with a passkey alone (`POST /v1/auth/passkey/options`), as JSON for the page's
   * script; a refusal (the organisation does not allow it, too many attempts) comes back as words.
   */
  @Post('sign-in/passkey-only/options')
  @Public()
  async passkeyOnlyOptions(@Req() req: Request, @Res() res: Response, @ReqMeta() meta: RequestMeta): Promise<void> {
    const tenant = z.string().trim().min(1).max(63).safeParse(req.body?.tenant);
    if (!tenant.success) {
      res.status(400).json({ error: PASSKEY_MESSAGES.tenantNeeded });
      return;
    }
    try {
      res.status(200).json(await this.commands.execute(new BeginPasskeySignInCommand(tenant.data, meta)));
    } catch (error) {
      const notOffered = error instanceof DomainError && error.code === 'forbidden';
      const failure = formFailure(error, ['forbidden', 'too_many_attempts', 'passkeys_unavailable']);
      res.status(failure.status).json({ error: notOffered ? PASSKEY_MESSAGES.notOffered : failure.message });
    }
  }

  @Post('sign-in/passkey-only')
  @Public()
  async passkeyOnly(@Req() req: Request, @Res() res: Response, @ReqMeta() meta: RequestMeta): Promise<void> {
    const tenant = String(req.body?.tenant ?? '').slice(0, 63);
    const credential = credentialFrom(req.body?.credential, authenticationResponseSchema);
    const refused = (message: string, status: number) =>
      this.showSignIn(req, res, { tenant, email: '', error: message }, status);
    if (!tenant || !credential) return refused(PASSKEY_MESSAGES.refused, 400);
    let opened;
    try {
      opened = await this.commands.execute(new SignInWithPasskeyCommand({ tenant, credential }, meta));
    } catch (error) {
      const wrong = error instanceof DomainError && error.code === 'mfa_code_invalid';
      const failure = formFailure(error, ['mfa_code_invalid', 'code_already_used', 'forbidden', 'too_many_attempts']);
      return refused(wrong ? PASSKEY_MESSAGES.refused : failure.message, failure.status);
    }
    setSessionCookie(res, opened.token, opened.session.expiresAt, this.config.publicUrl);
    res.redirect(303, '/account');
  }

  @Post('sign-in')
  @Public()
  async signIn(@Req() req: Request, @Res() res: Response, @ReqMeta() meta: RequestMeta): Promise<void> {
    const form = signInForm.safeParse(req.body);
    const entered = {
      tenant: String(req.body?.tenant ?? '').slice(0, 63),
      email: String(req.body?.email ?? '').slice(0, 254),
    };
    if (!form.success)
      return this.showSignIn(
        req,
        res,
        { ...entered, error: 'Enter your organisation, e-mail address and password.' },
        400,
      );
    let result;
    try {
      const deviceToken = presentedDeviceToken(req, undefined);
      result = await this.commands.execute(new LoginCommand({ ...form.data, deviceToken }, meta));
    } catch (error) {
      const failure = formFailure(error, ['invalid_credentials', 'too_many_attempts', 'validation_failed']);
      return this.showSignIn(req, res, { ...entered, error: failure.message }, failure.status);
    }
    if (result.status === 'mfa_required') {
      keepChallenge(res, result.challenge, this.config);
      return res.redirect(303, '/account/sign-in/verify');
    }
    setSessionCookie(res, result.token, result.session.expiresAt, this.config.publicUrl);
    // Past the deadline with no factor: the session may only enrol, so the set-up page comes first.
    res.redirect(303, result.status === 'mfa_enrollment_required' ? '/account/mfa/set-up' : '/account');
  }

  @Get('sign-in/verify')
  @Public()
  verifyPage(
    @Query('method') method: unknown,
    @Query('sent') sent: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const challenge = pendingChallenge(req);
    if (!challenge) return res.redirect(303, '/account/sign-in');
    const chosen = challenge.methods.find((m) => m === method) ?? challenge.methods[0]!;
    this.showVerify(req, res, chosen, { error: null, sent: sent === '1' });
  }

  @Post('sign-in/verify')
  @Public()
  async verify(@Req() req: Request, @Res() res: Response, @ReqMeta() meta: RequestMeta): Promise<void> {
    const challenge = pendingChallenge(req);
    if (!challenge) return res.redirect(303, '/account/sign-in');
    const method = challenge.methods.find((m) => m === req.body?.method) ?? challenge.methods[0]!;
    const passkey = method === 'webauthn';
    const answer = postedAnswer(req.body, ['totp', 'email', 'backup_code']);
    if (!answer) {
      const error = passkey ? PASSKEY_MESSAGES.refused : 'Enter the code.';
      return this.showVerify(req, res, method, { error, sent: false }, 400);
    }
    let opened;
    try {
      const input = { ...answer, rememberDevice: req.body?.remember === 'on' };
      opened = await this.commands.execute(new VerifyMfaChallengeCommand(challenge.id, input, meta));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'challenge_expired') {
        dropChallenge(res, this.config);
        return this.showSignIn(
          req,
          res,
          { tenant: '', email: '', error: formFailure(error, ['challenge_expired']).message },
          410,
        );
      }
      const failure = formFailure(error, ['mfa_code_invalid', 'code_already_used', 'too_many_attempts', 'not_found']);
      const words =
        passkey && error instanceof DomainError && error.code === 'mfa_code_invalid'
          ? PASSKEY_MESSAGES.refused
          : failure.message;
      return this.showVerify(req, res, method, { error: words, sent: false }, failure.status);
    }
    dropChallenge(res, this.config);
    if (opened.device) setDeviceCookie(res, opened.device, this.config, '/account/sign-in');
    setSessionCookie(res, opened.token, opened.session.expiresAt, this.config.publicUrl);
    // A code that opens only the set-up (a role held to passkeys, past its deadline without one).
    res.redirect(303, opened.enrollmentRequired ? '/account/mfa/set-up' : '/account');
  }

  /**
   * The options the verify page's script hands to `startAuthentication()`, for the pending challenge: the
   * same command as `POST /v1/auth/challenges/{id}/webauthn`. JSON, for that script; a refusal comes back
   * as words it shows.
   */
  @Post('sign-in/passkey')
  @Public()
  async passkeyOptions(@Req() req: Request, @Res() res: Response): Promise<void> {
    const challenge = pendingChallenge(req);
    if (!challenge) {
      res.status(410).json({ error: MESSAGES.challenge_expired });
      return;
    }
    try {
      const { options } = await this.commands.execute(new BeginPasskeyAssertionCommand({ challengeId: challenge.id }));
      res.status(200).json({ options });
    } catch (error) {
      const failure = formFailure(error, PROMPT_FAILURES);
      res.status(failure.status).json({ error: failure.message });
    }
  }

  @Post('sign-in/verify/send-code')
  @Public()
  async sendCode(@Req() req: Request, @Res() res: Response, @ReqMeta() meta: RequestMeta): Promise<void> {
    const challenge = pendingChallenge(req);
    if (!challenge) return res.redirect(303, '/account/sign-in');
    try {
      await this.commands.execute(new SendChallengeEmailCodeCommand(challenge.id, meta));
    } catch (error) {
      const failure = formFailure(error, ['too_many_attempts', 'not_found', 'challenge_expired']);
      return this.showVerify(req, res, 'email', { error: failure.message, sent: false }, failure.status);
    }
    res.redirect(303, '/account/sign-in/verify?method=email&sent=1');
  }

  @Post('sign-out')
  @EnrollmentAllowed()
  @StepUpAllowed()
  async signOut(
    @CurrentPrincipal() p: UserPrincipal,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ): Promise<void> {
    const own = { kind: 'own', userId: p.userId } as const;
    try {
      await this.commands.execute(new RevokeSessionCommand(p.tenantId, p.session.id, own, 'logout', actorOf(p), meta));
    } catch (error) {
      // Revoked meanwhile (another tab signed out): the session is gone, which is what was asked.
      if (!(error instanceof DomainError && error.code === 'not_found')) throw error;
    }
    clearSessionCookie(res, this.config.publicUrl);
    res.redirect(303, '/account/sign-in');
  }

  /** The sign-in form; with a passkey button when the organisation filled in allows signing in with one alone. */
  private async showSignIn(
    req: Request,
    res: Response,
    form: { tenant: string; email: string; error: string | null },
    status = 200,
  ) {
    const formToken = this.tokens.forVisitor(req, res);
    const passkeyOnly = form.tenant !== '' && (await this.passkeySignIn.openTo(form.tenant).catch(() => false));
    this.pages.send(
      res,
      'sign-in',
      { title: 'Sign in', formToken, passkeys: passkeyOnly },
      { ...form, passkeyOnly, passkeyWords: passkeyWords() },
      status,
    );
  }

  private showVerify(
    req: Request,
    res: Response,
    method: PageChallengeMethod,
    state: { error: string | null; sent: boolean },
    status = 200,
  ) {
    const challenge = pendingChallenge(req)!;
    const formToken = this.tokens.forVisitor(req, res);
    const methods = challenge.methods.map((m) => ({ id: m, name: METHOD_NAMES[m], current: m === method }));
    const passkey = method === 'webauthn';
    this.pages.send(
      res,
      'verify',
      { title: 'Verify it is you', formToken, passkeys: passkey },
      {
        passkey,
        passkeyWords: passkeyWords(),
        ...state,
        method,
        methodName: METHOD_NAMES[method],
        methods,
        choice: methods.length > 1,
        email: method === 'email',
        backup: method === 'backup_code',
      },
      status,
    );
  }
}
