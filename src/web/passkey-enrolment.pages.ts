import { Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, EnrollmentAllowed } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { actorOf } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { EnrollPasskeyCommand, registrationResponseSchema, VerifyFactorCommand } from '../factors/index.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { EnrolmentCookies } from './enrolment-cookies.js';
import { continueAfterVerification, startRefusal } from './enrolment-outcome.js';
import { EnrolmentViews } from './enrolment-views.js';
import { MESSAGES, PASSKEY_MESSAGES } from './messages.js';
import { formFailure, PageController } from './page-controller.js';
import { credentialFrom, optionsJsonOf } from './passkey-answers.js';
import { PasskeyViews } from './passkey-views.js';

const factorId = new ZodPipe(z.uuid());

/** A passkey's name as the form sends it; empty means the default. */
const labelOf = (body: unknown): string | undefined => {
  const raw = (body as { label?: unknown } | undefined)?.label;
  const label = typeof raw === 'string' ? raw.trim() : '';
  return label ? label : undefined;
};

/**
 * Adding a passkey: the start form (Security page, set-up page) answers with the ceremony page itself,
 * which carries the creation options (no secret: a single-use challenge kept server-side, bound to this
 * session's user) so nothing needs keeping between requests; the browser's new credential then comes back
 * in a hidden field. The same commands as `POST /v1/me/factors/webauthn` and `…/{id}/verify`.
 */
@PageController('account/mfa/passkey')
export class PasskeyEnrolmentPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
    private readonly cookies: EnrolmentCookies,
    private readonly enrolment: EnrolmentViews,
    private readonly views: PasskeyViews,
  ) {}

  @Post()
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async start(
    @CurrentPrincipal() p: SessionPrincipal,
    @ReqMeta() meta: RequestMeta,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const label = labelOf(req.body);
    if (label !== undefined && label.length > 64) {
      return this.enrolment.setUp(p, res, 'A passkey’s name is at most 64 characters.', 400);
    }
    let started;
    try {
      started = await this.commands.execute(
        new EnrollPasskeyCommand(p.tenantId, p.userId, label, actorOf(p), meta, p.session),
      );
    } catch (error) {
      const failure =
        error instanceof DomainError && error.code === 'passkeys_unavailable'
          ? { message: MESSAGES.passkeys_unavailable, status: error.status }
          : startRefusal(res, error);
      return this.enrolment.setUp(p, res, failure.message, failure.status);
    }
    await this.views.create(p, res, {
      factorId: started.factorId,
      optionsJson: optionsJsonOf(started.options),
      label: label ?? null,
    });
  }

  @Post(':factorId/verify')
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async verify(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('factorId', factorId) id: string,
    @ReqMeta() meta: RequestMeta,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const credential = credentialFrom(req.body?.credential, registrationResponseSchema);
    if (!credential) return this.views.notAdded(p, res, PASSKEY_MESSAGES.notAdded, 400);
    let verified;
    try {
      verified = await this.commands.execute(
        new VerifyFactorCommand(p.tenantId, p.userId, id, { credential }, actorOf(p), meta, p.session.id),
      );
    } catch (error) {
      const failure = formFailure(error, ['mfa_code_invalid', 'too_many_attempts', 'passkeys_unavailable']);
      const words =
        error instanceof DomainError && error.code === 'mfa_code_invalid' ? PASSKEY_MESSAGES.notAdded : failure.message;
      return this.views.notAdded(p, res, words, failure.status);
    }
    continueAfterVerification(res, p, verified, { cookies: this.cookies, config: this.config });
  }
}
