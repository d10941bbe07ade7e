import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import QRCode from 'qrcode';
import { EMAIL_CODE_RESEND_MS, RelyingParty } from '../factors/index.js';
import type { SessionPrincipal } from '../sessions/index.js';
import type { PendingTotp } from './enrolment-cookies.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';

/** The enrolment pages as their GETs show them and their refused forms show them again. */
@Injectable()
export class EnrolmentViews {
  constructor(
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
    private readonly relyingParty: RelyingParty,
  ) {}

  /** The methods the policy allows that the user can still add, and why they are asked. */
  async setUp(p: SessionPrincipal, res: Response, error: string | null, status = 200): Promise<void> {
    const { frame, mfa } = await this.frames.forUser(p, 'Set up two-step verification', 'security');
    const { overview, policy, compliance } = mfa;
    const allowed = new Set<string>(policy.allowedMethods);
    // The account's own address can be an e-mail factor once; another start would only be refused.
    const hasOwnEmail = overview.factors.some((f) => f.type === 'email' && f.label === p.email.toLowerCase());
    const methods = {
      totp: allowed.has('totp'),
      email: allowed.has('email') && !hasOwnEmail,
      // Only where this deployment is a relying party (WEBAUTHN_RP_ID, or a PUBLIC_URL with a host name).
      webauthn: allowed.has('webauthn') && this.relyingParty.available,
    };
    const title = overview.enrolled ? 'Add a sign-in method' : frame.title;
    this.pages.send(
      res,
      'mfa-set-up',
      { ...frame, title },
      {
        error,
        forced: p.session.enrollmentOnly,
        enrolled: overview.enrolled,
        required: mfa.required,
        graceDeadline: compliance.status === 'grace' ? compliance.deadline.toISOString() : null,
        methods,
        anyMethod: methods.totp || methods.email || methods.webauthn,
        email: p.email,
      },
      status,
    );
  }

  /** The QR code, the key to type instead, and the form for the app's first code. */
  async totp(p: SessionPrincipal, res: Response, pending: PendingTotp, error: string | null, status = 200) {
    const { frame } = await this.frames.forUser(p, 'Set up an authenticator app', 'security');
    // Made here from the key URI as the API's enrolment answer makes it: a PNG in a data: URL (CSP img-src data:).
    const qrCodeDataUrl = await QRCode.toDataURL(pending.otpauthUri, { type: 'image/png', scale: 6 });
    this.pages.send(
      res,
      'mfa-totp',
      frame,
      {
        error,
        qrCodeDataUrl,
        key: pending.secret,
        keyGroups: pending.secret.match(/.{1,4}/g) ?? [],
        account: p.email,
        forced: p.session.enrollmentOnly,
      },
      status,
    );
  }

  /**
   * The form for the mailed code, and "send another code": right after a code was sent, the script holds
   * that button for the API's wait; without the script the server's refusal says how long is left.
   */
  async email(
    p: SessionPrincipal,
    res: Response,
    state: { factorId: string; sent: boolean; error: string | null },
    status = 200,
  ) {
    const { frame } = await this.frames.forUser(p, 'Set up e-mail codes', 'security');
    this.pages.send(
      res,
      'mfa-email',
      frame,
      {
        ...state,
        address: p.email,
        waitSeconds: state.sent ? EMAIL_CODE_RESEND_MS / 1000 : 0,
        forced: p.session.enrollmentOnly,
      },
      status,
    );
  }
}
