import { Get, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../../common/access/principal-read.js';
import { actorOf } from '../../common/access/principal.js';
import type { RequestMeta } from '../../common/actor.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { ForgetAllDevicesCommand, MFA_OF_USER } from '../../compliance/index.js';
import { ReqMeta } from '../../http/request-meta.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import { formFailure, PageController } from '../page-controller.js';
import { PageFrames } from '../page-frames.js';
import { PageRenderer } from '../page-renderer.js';

/** Refusals the confirmation shows above itself. */
const CONFIRM_CODES = [
  'reauth_required',
  'invalid_credentials',
  'mfa_code_invalid',
  'code_already_used',
  'too_many_attempts',
  'authenticator_required',
] as const;

/**
 * "Forget all devices" (`tenant:manage`, as `POST /v1/admin/mfa/forget-all-devices`): a page that says what
 * it does and asks for the admin's password and current code, as the API does, then the API's command.
 */
@PageController('admin/devices')
export class DevicesPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get('forget')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  confirm(@CurrentPrincipal() p: SessionPrincipal, @Res() res: Response) {
    return this.showConfirm(p, res, null);
  }

  @Post('forget')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async forget(
    @CurrentPrincipal() p: SessionPrincipal,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const password = typeof body.password === 'string' ? body.password.slice(0, 256) : '';
    const code = typeof body.code === 'string' ? body.code.trim().slice(0, 32) : '';
    // As the API: no password is no confirmation at all (refused as reauth_required).
    const confirmation = password ? { password, ...(code ? { code } : {}) } : undefined;
    const editor = { userId: p.userId, session: p.session };
    let removed: number;
    try {
      const result = await this.commands.execute(
        new ForgetAllDevicesCommand(p.tenantId, editor, confirmation, actorOf(p), meta),
      );
      removed = result.factorsRemoved;
    } catch (error) {
      const failure = formFailure(error, CONFIRM_CODES);
      const stale = error instanceof DomainError && error.code === 'reauth_required' && confirmation;
      return this.showConfirm(p, res, stale ? STALE_OR_MISSING : failure.message, failure.status);
    }
    res.redirect(303, `/admin/devices/forgotten?removed=${removed}`);
  }

  @Get('forgotten')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async done(@CurrentPrincipal() p: SessionPrincipal, @Query('removed') removed: unknown, @Res() res: Response) {
    const { frame } = await this.frames.forUser(p, 'Every device forgotten', 'admin');
    const count = typeof removed === 'string' && /^\d{1,9}$/.test(removed) ? Number(removed) : null;
    this.pages.send(res, 'admin-devices-forgotten', frame, { adminSection: 'policy', removed: count });
  }

  private async showConfirm(p: SessionPrincipal, res: Response, error: string | null, status = 200) {
    const { frame, mfa } = await this.frames.forUser(p, 'Forget all devices?', 'admin');
    const askCode = mfa.overview.factors.length > 0;
    this.pages.send(res, 'admin-devices-forget', frame, { adminSection: 'policy', error, askCode }, status);
  }
}

/** A confirmation given and still refused as missing: the code was left out, or the sign-in is too old. */
const STALE_OR_MISSING =
  'Enter your password and a current code from your authenticator app. If you did, your sign-in is too old for ' +
  'this: sign out, sign in again, then try again.';
