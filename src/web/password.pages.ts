import { Get, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { ChangePasswordCommand } from '../auth/index.js';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import type { RequestMeta } from '../common/actor.js';
import { DomainError } from '../common/errors/domain-error.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { ReqMeta } from '../http/request-meta.js';
import { changePasswordSchema } from '../identity/index.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { formFailure, PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';
import { StepUpProof, stepUpUrl } from './step-up-proof.js';

const HERE = '/account/password';

/** What this form says for the refusals it expects, where the catalogue's general words would mislead. */
const WORDS = {
  missing: 'Enter your current password, a new password and the new password again.',
  mismatch: 'The new password and its confirmation are not the same. Type them again.',
  wrongCurrent: 'That is not your current password. Check it and try again.',
  reused: 'Your new password must be different from your current one.',
} as const;

/**
 * Changing the password: the same command as `POST /v1/me/password`, which signs out every other
 * session of the user and mails them a notice; this session keeps its token. Outside the re-auth window
 * the user first verifies a factor on the step-up page, which comes back here.
 */
@PageController('account/password')
export class PasswordPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
    private readonly proof: StepUpProof,
  ) {}

  @Get()
  @ReadsWithPrincipal(MFA_OF_USER)
  async form(@CurrentPrincipal() p: SessionPrincipal, @Query('done') done: unknown, @Res() res: Response) {
    await this.show(p, res, { error: null, done: done === '1' });
  }

  @Post()
  @ReadsWithPrincipal(MFA_OF_USER)
  async change(
    @CurrentPrincipal() p: SessionPrincipal,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const [current, next, confirm] = [body.currentPassword, body.newPassword, body.confirmPassword];
    if (typeof current !== 'string' || typeof next !== 'string' || typeof confirm !== 'string' || !current || !next) {
      return this.show(p, res, { error: WORDS.missing, done: false }, 400);
    }
    if (next !== confirm) return this.show(p, res, { error: WORDS.mismatch, done: false }, 400);
    const input = changePasswordSchema.safeParse({ currentPassword: current, newPassword: next });
    if (!input.success) {
      const issue = input.error.issues.find((i) => i.path[0] === 'newPassword') ?? input.error.issues[0]!;
      const error = issue.path[0] === 'newPassword' ? `Your new password ${issue.message}.` : WORDS.missing;
      return this.show(p, res, { error, done: false }, 400);
    }
    try {
      await this.commands.execute(new ChangePasswordCommand(p.tenantId, p.userId, p.session.id, input.data, meta));
    } catch (error) {
      // Outside the re-auth window (it closed while the form was open): the step-up page, or sign in again.
      if (error instanceof DomainError && error.code === 'reauth_required') {
        return this.show(p, res, { error: null, done: false }, 401);
      }
      const failure = formFailure(error, ['invalid_credentials', 'validation_failed', 'too_many_attempts']);
      const words =
        error instanceof DomainError && error.code === 'invalid_credentials'
          ? WORDS.wrongCurrent
          : error instanceof DomainError && error.code === 'validation_failed'
            ? WORDS.reused
            : failure.message;
      return this.show(p, res, { error: words, done: false }, failure.status);
    }
    res.redirect(303, `${HERE}?done=1`);
  }

  private async show(
    p: SessionPrincipal,
    res: Response,
    state: { error: string | null; done: boolean },
    status = 200,
  ): Promise<void> {
    const { frame, mfa } = await this.frames.forUser(p, 'Change your password', 'security');
    const recent = this.proof.isRecent(p, mfa);
    const canStepUp = this.proof.methodsOf(mfa, { backupCodes: true, passkeys: true }).length > 0;
    // Asked up front, so that nobody types two new passwords only to be sent to verify a code.
    if (!recent && canStepUp && !state.done && !state.error) return res.redirect(303, stepUpUrl(HERE));
    this.pages.send(res, 'password', frame, { ...state, signInAgain: !recent && !canStepUp }, status);
  }
}
