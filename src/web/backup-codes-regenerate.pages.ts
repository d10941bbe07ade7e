import { Get, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { actorOf } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { DomainError } from '../common/errors/domain-error.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { RegenerateBackupCodesCommand } from '../factors/index.js';
import { ReqMeta } from '../http/request-meta.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { PASSKEY_MESSAGES, passkeyWords } from './messages.js';
import { formFailure, PageController } from './page-controller.js';
import { postedAnswer } from './passkey-answers.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';
import { codeForm, StepUpProof } from './step-up-proof.js';

const HERE = '/account/backup-codes/regenerate';

/**
 * New backup codes in two steps. Step 1 confirms, with a code or a passkey of one of the user's real factors
 * (never a backup code: that would let a spare code mint more); the code is a step-up, so the session's re-auth
 * window restarts and it gets a new token (the page cookie takes it). Step 2 is that POST's own answer:
 * the new codes (the same command as `POST /v1/me/backup-codes`), shown this once. They are not kept
 * anywhere to survive a redirect, so reloading cannot show them again (it re-sends a used code).
 */
@PageController('account/backup-codes/regenerate')
export class BackupCodesRegeneratePages {
  constructor(
    private readonly commands: CommandBus,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
    private readonly proof: StepUpProof,
  ) {}

  @Get()
  @ReadsWithPrincipal(MFA_OF_USER)
  async confirm(
    @CurrentPrincipal() p: SessionPrincipal,
    @Query('method') method: unknown,
    @Query('sent') sent: unknown,
    @Res() res: Response,
  ): Promise<void> {
    await this.showConfirm(p, res, { method, sent: sent === '1', error: null });
  }

  @Post()
  @ReadsWithPrincipal(MFA_OF_USER)
  async regenerate(
    @CurrentPrincipal() p: SessionPrincipal,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ): Promise<void> {
    const method: unknown = req.body?.method;
    const passkey = method === 'webauthn';
    const answer = postedAnswer(req.body, ['totp', 'email']);
    const unreadable = passkey ? PASSKEY_MESSAGES.refused : 'Enter the code.';
    if (!answer) return this.showConfirm(p, res, { method, sent: false, error: unreadable }, 400);
    let session;
    try {
      session = await this.proof.prove(p, answer, meta, res);
    } catch (error) {
      const failure = formFailure(error, ['mfa_code_invalid', 'code_already_used', 'too_many_attempts']);
      const wrongPasskey = passkey && error instanceof DomainError && error.code === 'mfa_code_invalid';
      const words = wrongPasskey ? PASSKEY_MESSAGES.refused : failure.message;
      return this.showConfirm(p, res, { method, sent: false, error: words }, failure.status);
    }
    const { backupCodes } = await this.commands.execute(
      new RegenerateBackupCodesCommand(p.tenantId, p.userId, session, actorOf(p), meta),
    );
    const { frame } = await this.frames.forUser(p, 'Your new backup codes', 'security');
    const text = [`${p.tenant.name}: backup codes for ${p.email}`, '', ...backupCodes, ''].join('\n');
    this.pages.send(res, 'backup-codes-regenerated', frame, {
      codes: backupCodes,
      download: `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`,
    });
  }

  private async showConfirm(
    p: SessionPrincipal,
    res: Response,
    state: { method: unknown; sent: boolean; error: string | null },
    status = 200,
  ): Promise<void> {
    const { frame, mfa } = await this.frames.forUser(p, 'Make new backup codes', 'security');
    const methods = this.proof.methodsOf(mfa, { backupCodes: false, passkeys: true });
    const form = codeForm(methods, state.method, HERE);
    this.pages.send(
      res,
      'regenerate-backup-codes',
      { ...frame, passkeys: form.passkey },
      {
        ...form,
        passkeyOptionsUrl: '/account/step-up/passkey',
        passkeyWords: passkeyWords(),
        none: methods.length === 0,
        remaining: mfa.overview.backupCodesRemaining,
        sent: state.sent,
        error: state.error,
        next: null,
        back: HERE,
      },
      status,
    );
  }
}
