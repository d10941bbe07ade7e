import { Get, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { actorOf } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { notFound } from '../common/errors/domain-error.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { RenameFactorCommand } from '../factors/index.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { FACTOR_NAMES } from './factor-names.js';
import { formFailure, PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';

const factorId = new ZodPipe(z.uuid());

const renameForm = z.object({ label: z.string().trim().min(1).max(64) });

const WORDS = { label: 'Enter a name of 1 to 64 characters.' } as const;

/**
 * Renaming a sign-in method (a passkey's "Work laptop"): the Security page's rename form posts here, and
 * this page shows that form again when it was refused (or to a browser that cannot open the inline one).
 * The same command as `PATCH /v1/me/factors/{factorId}`.
 */
@PageController('account/factors')
export class FactorRenamePages {
  constructor(
    private readonly commands: CommandBus,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get(':factorId/rename')
  @ReadsWithPrincipal(MFA_OF_USER)
  async page(@CurrentPrincipal() p: SessionPrincipal, @Param('factorId', factorId) id: string, @Res() res: Response) {
    await this.show(p, id, res, { label: null, error: null });
  }

  @Post(':factorId/rename')
  @ReadsWithPrincipal(MFA_OF_USER)
  async rename(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('factorId', factorId) id: string,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ): Promise<void> {
    const entered = String(req.body?.label ?? '').slice(0, 200);
    const form = renameForm.safeParse(req.body);
    if (!form.success) return this.show(p, id, res, { label: entered, error: WORDS.label }, 400);
    try {
      await this.commands.execute(new RenameFactorCommand(p.tenantId, p.userId, id, form.data.label, actorOf(p), meta));
    } catch (error) {
      const failure = formFailure(error, ['validation_failed']);
      return this.show(p, id, res, { label: entered, error: failure.message }, failure.status);
    }
    res.redirect(303, '/account?renamed=1');
  }

  private async show(
    p: SessionPrincipal,
    id: string,
    res: Response,
    state: { label: string | null; error: string | null },
    status = 200,
  ): Promise<void> {
    const { frame, mfa } = await this.frames.forUser(p, 'Rename a sign-in method', 'security');
    const factor = mfa.overview.factors.find((f) => f.id === id);
    if (!factor) throw notFound('Factor');
    this.pages.send(
      res,
      'factor-rename',
      frame,
      {
        factor: { ...factor, name: FACTOR_NAMES[factor.type] ?? factor.type },
        label: state.label ?? factor.label,
        error: state.error,
      },
      status,
    );
  }
}
