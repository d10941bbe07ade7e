import { Get, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { BeginPasskeyAssertionCommand, SendStepUpEmailCodeCommand } from '../auth/index.js';
import { CurrentPrincipal, StepUpAllowed } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import type { RequestMeta } from '../common/actor.js';
import { DomainError } from '../common/errors/domain-error.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { ReqMeta } from '../http/request-meta.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { PASSKEY_MESSAGES, passkeyWords } from './messages.js';
import { formFailure, PageController } from './page-controller.js';
import { postedAnswer } from './passkey-answers.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';
import { codeForm, safeNext, StepUpProof } from './step-up-proof.js';

/** Refusals of a passkey prompt's start that its script shows as words; anything else is a failure. */
const PROMPT_FAILURES = ['not_found', 'conflict', 'too_many_attempts', 'passkeys_unavailable'] as const;

/** Pages that may ask for an e-mailed step-up code and come back to themselves with it sent. */
const CODE_PAGES = ['/account/step-up', '/account/backup-codes/regenerate'];

/**
 * Verifying it is you again: when a Disconnect flagged the session (the page filter sends every refused
 * page here), or before a sensitive change outside the re-auth window (`?next=` names the page to go
 * back to). The same commands as `POST /v1/auth/step-up` and `/v1/auth/step-up/email`; a step-up gives
 * the session a new token, which the page cookie takes.
 */
@PageController('account/step-up')
export class StepUpPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
    private readonly proof: StepUpProof,
  ) {}

  @Get()
  @StepUpAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async page(
    @CurrentPrincipal() p: SessionPrincipal,
    @Query('method') method: unknown,
    @Query('sent') sent: unknown,
    @Query('next') next: unknown,
    @Res() res: Response,
  ): Promise<void> {
    await this.show(p, res, { method, next: safeNext(next), sent: sent === '1', error: null });
  }

  @Post()
  @StepUpAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async stepUp(
    @CurrentPrincipal() p: SessionPrincipal,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ): Promise<void> {
    const next = safeNext(req.body?.next);
    const method: unknown = req.body?.method;
    const passkey = method === 'webauthn';
    const unreadable = passkey ? PASSKEY_MESSAGES.refused : 'Enter the code.';
    const answer = postedAnswer(req.body, ['totp', 'email', 'backup_code']);
    if (!answer) return this.show(p, res, { method, next, sent: false, error: unreadable }, 400);
    try {
      await this.proof.prove(p, answer, meta, res);
    } catch (error) {
      const failure = formFailure(error, ['mfa_code_invalid', 'code_already_used', 'too_many_attempts']);
      const words =
        passkey && error instanceof DomainError && error.code === 'mfa_code_invalid'
          ? PASSKEY_MESSAGES.refused
          : failure.message;
      return this.show(p, res, { method, next, sent: false, error: words }, failure.status);
    }
    res.redirect(303, next ?? '/account');
  }

  /**
   * The options the page's script hands to `startAuthentication()` for this session's step-up: the same
   * command as `POST /v1/auth/step-up/webauthn`. JSON, for that script; a refusal comes back as words.
   */
  @Post('passkey')
  @StepUpAllowed()
  async passkeyOptions(@CurrentPrincipal() p: SessionPrincipal, @Res() res: Response): Promise<void> {
    try {
      const { options } = await this.commands.execute(new BeginPasskeyAssertionCommand({ principal: p }));
      res.status(200).json({ options });
    } catch (error) {
      const failure = formFailure(error, PROMPT_FAILURES);
      res.status(failure.status).json({ error: failure.message });
    }
  }

  @Post('send-code')
  @StepUpAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async sendCode(
    @CurrentPrincipal() p: SessionPrincipal,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ): Promise<void> {
    const back = CODE_PAGES.find((page) => page === req.body?.back) ?? '/account/step-up';
    const next = safeNext(req.body?.next);
    try {
      await this.commands.execute(new SendStepUpEmailCodeCommand(p, meta));
    } catch (error) {
      const failure = formFailure(error, ['too_many_attempts', 'not_found']);
      if (back !== '/account/step-up') throw error;
      return this.show(p, res, { method: 'email', next, sent: false, error: failure.message }, failure.status);
    }
    const query = new URLSearchParams({ method: 'email', sent: '1', ...(next ? { next } : {}) });
    res.redirect(303, `${back}?${query.toString()}`);
  }

  private async show(
    p: SessionPrincipal,
    res: Response,
    state: { method: unknown; next: string | null; sent: boolean; error: string | null },
    status = 200,
  ): Promise<void> {
    const { frame, mfa } = await this.frames.forUser(p, 'Verify it is you');
    const methods = this.proof.methodsOf(mfa, { backupCodes: true, passkeys: true });
    const base = state.next ? `/account/step-up?next=${encodeURIComponent(state.next)}` : '/account/step-up';
    const form = codeForm(methods, state.method, base);
    this.pages.send(
      res,
      'step-up',
      { ...frame, passkeys: form.passkey },
      {
        ...form,
        passkeyOptionsUrl: '/account/step-up/passkey',
        passkeyWords: passkeyWords(),
        flagged: p.session.stepUpRequiredAt !== null,
        none: methods.length === 0,
        next: state.next,
        sent: state.sent,
        error: state.error,
        back: '/account/step-up',
      },
      status,
    );
  }
}
