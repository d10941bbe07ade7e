import { Get, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { actorOf } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { MFA_OF_USER, type UserMfaStatus } from '../compliance/index.js';
import { RemoveFactorCommand } from '../factors/index.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { countsAsEnrolled } from '../policy/index.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { FACTOR_NAMES } from './factor-names.js';
import { MESSAGES, PASSKEY_MESSAGES } from './messages.js';
import { formFailure, PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';
import { StepUpProof, stepUpUrl } from './step-up-proof.js';

const factorId = new ZodPipe(z.uuid());

const proofForm = z.union([
  z.object({ proof: z.literal('password'), password: z.string().min(1).max(256) }),
  z.object({ proof: z.literal('code'), code: z.string().trim().min(1).max(32) }),
]);

const WORDS = {
  missingPassword: 'Enter your password.',
  missingCode: 'Enter the 6-digit code from your authenticator app.',
  wrongPassword: 'That is not your password. Check it and try again.',
} as const;

/**
 * Removing a sign-in method, after a confirmation page: the same command as `DELETE /v1/me/factors/:id`,
 * proven with the password or a current authenticator code, inside the re-auth window (else the step-up
 * page first). When the policy would leave the user without a method it requires, the page says so and
 * offers no form; the command refuses it in any case (`policy_requires_mfa`).
 */
@PageController('account/factors')
export class FactorRemovalPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
    private readonly proof: StepUpProof,
  ) {}

  @Get(':factorId/remove')
  @ReadsWithPrincipal(MFA_OF_USER)
  async confirm(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('factorId', factorId) id: string,
    @Res() res: Response,
  ) {
    await this.show(p, id, res, { error: null, proof: 'password' });
  }

  @Post(':factorId/remove')
  @ReadsWithPrincipal(MFA_OF_USER)
  async remove(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('factorId', factorId) id: string,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ): Promise<void> {
    const form = proofForm.safeParse(req.body);
    const kind = req.body?.proof === 'code' ? 'code' : 'password';
    if (!form.success) {
      const error = kind === 'code' ? WORDS.missingCode : WORDS.missingPassword;
      return this.show(p, id, res, { error, proof: kind }, 400);
    }
    const proof = form.data.proof === 'password' ? { password: form.data.password } : { code: form.data.code };
    try {
      await this.commands.execute(
        new RemoveFactorCommand(p.tenantId, p.userId, p.session.id, id, proof, actorOf(p), meta),
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'reauth_required') {
        return res.redirect(303, stepUpUrl(`/account/factors/${id}/remove`));
      }
      const failure = formFailure(error, [
        'invalid_credentials',
        'mfa_code_invalid',
        'code_already_used',
        'too_many_attempts',
        'policy_requires_mfa',
      ]);
      const words =
        error instanceof DomainError && error.code === 'invalid_credentials' ? WORDS.wrongPassword : failure.message;
      return this.show(p, id, res, { error: words, proof: kind }, failure.status);
    }
    res.redirect(303, '/account');
  }

  private async show(
    p: SessionPrincipal,
    id: string,
    res: Response,
    state: { error: string | null; proof: 'password' | 'code' },
    status = 200,
  ): Promise<void> {
    const { frame, mfa } = await this.frames.forUser(p, 'Remove a sign-in method', 'security');
    const factor = mfa.overview.factors.find((f) => f.id === id);
    if (!factor) throw notFound('Factor');
    const blocked = requiredAfterRemoval(mfa, id);
    if (!blocked && !state.error && !this.proof.isRecent(p, mfa)) {
      return res.redirect(303, stepUpUrl(`/account/factors/${id}/remove`));
    }
    // Codes of authenticator apps the user had before this session began: the only codes the command counts.
    const codes = mfa.overview.factors.some((f) => f.type === 'totp' && new Date(f.createdAt) < p.session.createdAt);
    this.pages.send(
      res,
      'factor-remove',
      frame,
      {
        factor: { ...factor, name: FACTOR_NAMES[factor.type] ?? factor.type },
        last: mfa.overview.factors.length === 1,
        blocked: blocked ? MESSAGES.policy_requires_mfa : null,
        codes,
        passkeyNote: factor.type === 'webauthn' ? PASSKEY_MESSAGES.removalProof : null,
        error: state.error,
      },
      status,
    );
  }
}

/**
 * Whether the policy would refuse this removal: the user is in its scope and this is the last of their
 * factors it accepts. The policy's own predicates, as the command applies them; a hint for the page only.
 */
function requiredAfterRemoval(mfa: UserMfaStatus, id: string): boolean {
  const { policy, required, overview, roles } = mfa;
  const removed = overview.factors.filter((f) => f.id === id).map((f) => f.type);
  const others = overview.factors.filter((f) => f.id !== id).map((f) => f.type);
  return required && countsAsEnrolled(policy, roles, removed) && !countsAsEnrolled(policy, roles, others);
}
