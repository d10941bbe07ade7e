import { Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { MFA_OF_USER } from '../compliance/index.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { addedNotice } from './enrolment-outcome.js';
import { PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';

const FACTOR_NAMES: Record<string, string> = {
  totp: 'Authenticator app',
  email: 'E-mail codes',
  webauthn: 'Passkey',
};

/** The user's Security page: their two-step verification at a glance. */
@PageController('account')
export class SecurityPages {
  constructor(
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @ReadsWithPrincipal(MFA_OF_USER)
  async overview(
    @CurrentPrincipal() p: SessionPrincipal,
    @Query('added') added: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const { frame, mfa } = await this.frames.forUser(p, 'Security', 'security');
    const { overview, compliance, required } = mfa;
    this.pages.send(res, 'security', frame, {
      notice: addedNotice(added),
      enrolled: overview.enrolled,
      required,
      overdue: compliance.status === 'overdue',
      factors: overview.factors.map((f) => ({ ...f, name: FACTOR_NAMES[f.type] ?? f.type })),
      backupCodesRemaining: overview.backupCodesRemaining,
      backupCodesLow: overview.backupCodesLow,
    });
  }
}
