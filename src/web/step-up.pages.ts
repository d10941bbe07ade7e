import { Get, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { SendStepUpEmailCodeCommand } from '../auth/index.js';
import { CurrentPrincipal, StepUpAllowed } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import type { RequestMeta } from '../common/actor.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { ReqMeta } from '../http/request-meta.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { formFailure, PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';
import { codeForm, safeNext, StepUpProof } from './step-up-proof.js';

const stepUpForm = z.object({
  method: z.enum(['totp', 'email', 'backup_code']),
  code: z.string().trim().min(1).max(32),
});

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
    const form = stepUpForm.safeParse(req.body);
    if (!form.success) return this.show(p, res, { method, next, sent: false, error: 'Enter the code.' }, 400);
    try {
      await this.proof.prove(p, form.data, meta, res);
    } catch (error) {
      const failure = formFailure(error, ['mfa_code_invalid', 'code_already_used', 'too_many_attempts']);
      return this.show(p, res, { method, next, sent: false, error: failure.message }, failure.status);
    }
    res.redirect(303, next ?? '/account');
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
    const methods = this.proof.methodsOf(mfa, { backupCodes: true });
    const base = state.next ? `/account/step-up?next=${encodeURIComponent(state.next)}` : '/account/step-up';
    this.pages.send(
      res,
      'step-up',
      frame,
      {
        ...codeForm(methods, state.method, base),
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
