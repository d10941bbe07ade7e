import { Get, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../../common/access/principal-read.js';
import { actorOf } from '../../common/access/principal.js';
import type { RequestMeta } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { ChangeMfaPolicyCommand, MFA_OF_USER, MfaPolicyPreview } from '../../compliance/index.js';
import { ReqMeta } from '../../http/request-meta.js';
import { type MfaPolicySettings, MfaPolicyStore, policyWeakenings } from '../../policy/index.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import { formFailure, PageController } from '../page-controller.js';
import { PageFrames } from '../page-frames.js';
import { PageRenderer } from '../page-renderer.js';
import {
  hiddenPolicyFields,
  type PolicyFormView,
  policyFormView,
  readPolicyForm,
  WEAKENING_WORDS,
} from './policy-form.js';

type Preview = Awaited<ReturnType<MfaPolicyPreview['preview']>>;

/** Refusals the policy form shows above itself, the form kept as entered. */
const FORM_CODES = ['admin_mfa_required', 'conflict', 'validation_failed'] as const;
/** Refusals of the confirmation (password and code) the confirmation page shows above itself. */
const CONFIRM_CODES = [
  'invalid_credentials',
  'mfa_code_invalid',
  'code_already_used',
  'too_many_attempts',
  'authenticator_required',
] as const;

/**
 * The tenant's MFA policy (`tenant:manage`, as `/v1/admin/mfa-policy`): the form of everything the policy
 * holds, a preview of its effect before saving (the API's preview), and the save by the API's command. A
 * save the command refuses as weakening until confirmed comes back as a page asking for the password and
 * a current code, the proposed policy carried in hidden fields.
 */
@PageController('admin')
export class PolicyPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: MfaPolicyStore,
    private readonly previews: MfaPolicyPreview,
    private readonly clock: Clock,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get('policy')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async show(@CurrentPrincipal() p: SessionPrincipal, @Query('done') done: unknown, @Res() res: Response) {
    const policy = await this.store.current(p.tenantId);
    const notice = done === 'saved' ? 'The policy was saved. It applies from now on, on every sign-in.' : null;
    await this.showForm(p, res, policyFormView(policy.settings, policy.version), { notice });
  }

  @Post('policy')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async submit(
    @CurrentPrincipal() p: SessionPrincipal,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = readPolicyForm(body);
    if (!form.ok) return this.showForm(p, res, form.view, { error: form.problems.join(' ') }, 400);
    if (body.intent === 'preview') {
      const preview = await this.previews.preview(p.tenantId, form.settings, this.clock.now());
      return this.showForm(p, res, form.view, { preview });
    }
    const confirmation = confirmationOf(body);
    const editor = { userId: p.userId, roles: p.roles, session: p.session };
    const options = { expectedVersion: form.version, confirmation };
    try {
      await this.commands.execute(
        new ChangeMfaPolicyCommand(p.tenantId, form.settings, editor, actorOf(p), meta, options),
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'reauth_required') {
        const confirming = body.stage === 'confirm';
        const message = !confirming ? null : confirmation ? STALE_OR_MISSING : CONFIRMATION_MISSING;
        return this.showConfirm(p, res, form.settings, form.version, message, 401);
      }
      if (confirmation && error instanceof DomainError && (CONFIRM_CODES as readonly string[]).includes(error.code)) {
        const failure = formFailure(error, CONFIRM_CODES);
        return this.showConfirm(p, res, form.settings, form.version, failure.message, failure.status);
      }
      const failure = formFailure(error, FORM_CODES);
      return this.showForm(p, res, form.view, { error: failure.message }, failure.status);
    }
    res.redirect(303, '/admin/policy?done=saved');
  }

  private async showForm(
    p: SessionPrincipal,
    res: Response,
    policy: PolicyFormView,
    state: { notice?: string | null; error?: string | null; preview?: Preview },
    status = 200,
  ) {
    const { frame } = await this.frames.forUser(p, 'MFA policy', 'admin');
    this.pages.send(
      res,
      'admin-policy',
      frame,
      {
        adminSection: 'policy',
        policy,
        notice: state.notice ?? null,
        error: state.error ?? null,
        preview: state.preview ? previewView(state.preview) : null,
      },
      status,
    );
  }

  private async showConfirm(
    p: SessionPrincipal,
    res: Response,
    proposed: MfaPolicySettings,
    version: number | undefined,
    error: string | null,
    status: number,
  ) {
    const { frame, mfa } = await this.frames.forUser(p, 'Confirm the policy change', 'admin');
    const inForce = await this.store.current(p.tenantId);
    const weakenings = policyWeakenings(inForce.settings, proposed).map((w) => WEAKENING_WORDS[w]);
    this.pages.send(
      res,
      'admin-policy-confirm',
      frame,
      {
        adminSection: 'policy',
        error,
        weakenings,
        hidden: hiddenPolicyFields(proposed, version),
        askCode: mfa.overview.factors.length > 0,
      },
      status,
    );
  }
}

const CONFIRMATION_MISSING =
  'Enter your password and, if you use an authenticator app, a current code from it, to save this change.';

/** Confirmation was given and still refused as missing: the code was left out, or the sign-in is too old. */
const STALE_OR_MISSING =
  'Enter your password and a current code from your authenticator app. If you did, your sign-in is too old for ' +
  'this change: sign out, sign in again, then make the change.';

/** The admin's password and code from the confirmation page; none from the policy form itself. */
function confirmationOf(body: Record<string, unknown>) {
  const password = typeof body.password === 'string' ? body.password.slice(0, 256) : '';
  const code = typeof body.code === 'string' ? body.code.trim().slice(0, 32) : '';
  if (!password) return undefined;
  return { password, ...(code ? { code } : {}) };
}

function previewView(p: Preview) {
  return {
    inScope: p.inScope,
    enrolled: p.enrolled,
    notEnrolled: p.notEnrolled,
    alreadyOverdue: p.alreadyOverdue,
    earliestDeadline: p.earliestDeadline,
    deadline: p.deadline,
  };
}
