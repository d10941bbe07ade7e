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
import { authenticationResponseSchema, RemoveFactorCommand, type RemovalProofInput } from '../factors/index.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { countsAsEnrolled } from '../policy/index.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { FACTOR_NAMES } from './factor-names.js';
import { MESSAGES, PASSKEY_MESSAGES, passkeyWords } from './messages.js';
import { credentialFrom } from './passkey-answers.js';
import { formFailure, PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';
import { StepUpProof, stepUpUrl } from './step-up-proof.js';

const factorId = new ZodPipe(z.uuid());

const proofForm = z.union([
  z.object({ proof: z.literal('password'), password: z.string().min(1).max(256) }),
  z.object({ proof: z.literal('code'), code: z.string().trim().min(1).max(32) }),
  // The assertion's JSON as the script put it in the form; checked against the API's schema below.
  z.object({ proof: z.literal('passkey'), credential: z.string().min(1) }),
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
    const kind = req.body?.proof === 'code' || req.body?.proof === 'passkey' ? req.body.proof : 'password';
    if (!form.success) {
      const error = kind === 'code' ? WORDS.missingCode : WORDS.missingPassword;
      return this.show(p, id, res, { error, proof: kind }, 400);
    }
    const proof = proofOf(form.data);
    if (!proof) return this.show(p, id, res, { error: PASSKEY_MESSAGES.refused, proof: kind }, 400);
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
    state: { error: string | null; proof: 'password' | 'code' | 'passkey' },
    status = 200,
  ): Promise<void> {
    const { frame: page, mfa } = await this.frames.forUser(p, 'Remove a sign-in method', 'security');
    const frame = { ...page, passkeys: mfa.overview.factors.some((f) => f.type === 'webauthn') };
    const factor = mfa.overview.factors.find((f) => f.id === id);
    if (!factor) throw notFound('Factor');
    const blocked = requiredAfterRemoval(mfa, id);
    if (!blocked && !state.error && !this.proof.isRecent(p, mfa)) {
      return res.redirect(303, stepUpUrl(`/account/factors/${id}/remove`));
    }
    // Authenticator apps and passkeys the user had before this session began: the only ones the command counts.
    const before = (type: string) =>
      mfa.overview.factors.some((f) => f.type === type && new Date(f.createdAt) < p.session.createdAt);
    const codes = before('totp');
    const passkeys = before('webauthn');
    this.pages.send(
      res,
      'factor-remove',
      frame,
      {
        factor: { ...factor, name: FACTOR_NAMES[factor.type] ?? factor.type },
        last: mfa.overview.factors.length === 1,
        blocked: blocked ? MESSAGES.policy_requires_mfa : null,
        codes,
        passkeys,
        passkeyWords: passkeyWords(),
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

/** The proof the form carries, as the command takes it; null for a passkey answer that cannot be read. */
function proofOf(form: z.infer<typeof proofForm>): RemovalProofInput | null {
  if (form.proof === 'password') return { password: form.password };
  if (form.proof === 'code') return { code: form.code };
  const credential = credentialFrom(form.credential, authenticationResponseSchema);
  return credential && { credential };
}
