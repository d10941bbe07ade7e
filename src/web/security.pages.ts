import { Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { RelyingParty } from '../factors/index.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { addedNotice } from './enrolment-outcome.js';
import { FACTOR_NAMES } from './factor-names.js';
import { PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';

const RENAMED = 'The sign-in method is renamed.';

/** The user's Security page: their two-step verification at a glance, their passkeys apart. */
@PageController('account')
export class SecurityPages {
  constructor(
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
    private readonly relyingParty: RelyingParty,
  ) {}

  @Get()
  @ReadsWithPrincipal(MFA_OF_USER)
  async overview(
    @CurrentPrincipal() p: SessionPrincipal,
    @Query('added') added: unknown,
    @Query('renamed') renamed: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const { frame, mfa } = await this.frames.forUser(p, 'Security', 'security');
    const { overview, compliance, required, policy } = mfa;
    const factors = overview.factors.map((f) => ({ ...f, name: FACTOR_NAMES[f.type] ?? f.type }));
    const passkeys = factors.filter((f) => f.type === 'webauthn');
    this.pages.send(res, 'security', frame, {
      notice: addedNotice(added) ?? (renamed === '1' ? RENAMED : null),
      enrolled: overview.enrolled,
      required,
      overdue: compliance.status === 'overdue',
      factors: factors.filter((f) => f.type !== 'webauthn'),
      passkeys,
      // A passkey the policy no longer allows is still listed (to rename or remove), just not added to.
      passkeysAllowed: policy.allowedMethods.includes('webauthn') && this.relyingParty.available,
      backupCodesRemaining: overview.backupCodesRemaining,
      backupCodesLow: overview.backupCodesLow,
    });
  }
}
