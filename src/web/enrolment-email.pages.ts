import { Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, EnrollmentAllowed } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { actorOf } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { EnrollEmailFactorCommand, VerifyFactorCommand } from '../factors/index.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { EnrolmentCookies } from './enrolment-cookies.js';
import { continueAfterVerification, startRefusal } from './enrolment-outcome.js';
import { EnrolmentViews } from './enrolment-views.js';
import { codeForm, VERIFY_FAILURES } from './enrolment.pages.js';
import { formFailure, PageController } from './page-controller.js';

const factorId = new ZodPipe(z.uuid());

/**
 * E-mail codes as a factor, for the account's own address: starting mails a code, the page takes it, and
 * "send another code" asks the same command again (the API's wait applies). The same commands as
 * `POST /v1/me/factors/email` and `…/{id}/verify`. The factor id in the URL is no secret: only the
 * signed-in owner's mailed code activates it.
 */
@PageController('account/mfa/email')
export class EmailEnrolmentPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
    private readonly cookies: EnrolmentCookies,
    private readonly views: EnrolmentViews,
  ) {}

  @Post()
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async start(@CurrentPrincipal() p: SessionPrincipal, @ReqMeta() meta: RequestMeta, @Res() res: Response) {
    let started;
    try {
      started = await this.send(p, meta);
    } catch (error) {
      const failure = startRefusal(res, error);
      return this.views.setUp(p, res, failure.message, failure.status);
    }
    res.redirect(303, `/account/mfa/email/${started.factorId}?sent=1`);
  }

  @Get(':factorId')
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async page(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('factorId', factorId) id: string,
    @Query('sent') sent: unknown,
    @Res() res: Response,
  ) {
    await this.views.email(p, res, { factorId: id, sent: sent === '1', error: null });
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
    const form = codeForm.safeParse(req.body);
    if (!form.success) {
      return this.views.email(p, res, { factorId: id, sent: false, error: 'Enter the 6-digit code we sent.' }, 400);
    }
    let verified;
    try {
      verified = await this.commands.execute(
        new VerifyFactorCommand(p.tenantId, p.userId, id, { code: form.data.code }, actorOf(p), meta, p.session.id),
      );
    } catch (error) {
      const failure = formFailure(error, VERIFY_FAILURES);
      return this.views.email(p, res, { factorId: id, sent: false, error: failure.message }, failure.status);
    }
    continueAfterVerification(res, p, verified, { cookies: this.cookies, config: this.config });
  }

  @Post(':factorId/resend')
  @EnrollmentAllowed()
  @ReadsWithPrincipal(MFA_OF_USER)
  async resend(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('factorId', factorId) id: string,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    let sent;
    try {
      // Same address, same pending factor: the command sends it a new code (or starts anew once it expired).
      sent = await this.send(p, meta);
    } catch (error) {
      const failure = startRefusal(res, error);
      return this.views.email(p, res, { factorId: id, sent: false, error: failure.message }, failure.status);
    }
    res.redirect(303, `/account/mfa/email/${sent.factorId}?sent=1`);
  }

  private send(p: SessionPrincipal, meta: RequestMeta) {
    return this.commands.execute(
      new EnrollEmailFactorCommand(p.tenantId, p.userId, undefined, actorOf(p), meta, p.session),
    );
  }
}
