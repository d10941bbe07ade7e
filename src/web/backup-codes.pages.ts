import { Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { MFA_OF_USER } from '../compliance/index.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { EnrolmentCookies } from './enrolment-cookies.js';
import { ENROLMENT_MESSAGES } from './messages.js';
import { PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';

/** The name the downloaded codes are saved under. */
const FILE_NAME = 'stepguard-backup-codes.txt';

/**
 * The first backup codes, shown once after the first factor verified: Copy and Print (the script), a
 * Download that needs none, and an acknowledgement before the user may go on; afterwards they are gone
 * (the server keeps only their hashes, the sealed cookie is cleared).
 */
@PageController('account/mfa/backup-codes')
export class BackupCodesPages {
  constructor(
    private readonly cookies: EnrolmentCookies,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @ReadsWithPrincipal(MFA_OF_USER)
  async show(@CurrentPrincipal() p: SessionPrincipal, @Req() req: Request, @Res() res: Response) {
    const codes = this.cookies.backupCodesOf(req, p.session.id);
    if (!codes) return res.redirect(303, '/account');
    await this.render(p, res, codes, null);
  }

  @Post()
  @ReadsWithPrincipal(MFA_OF_USER)
  async acknowledge(@CurrentPrincipal() p: SessionPrincipal, @Req() req: Request, @Res() res: Response) {
    const codes = this.cookies.backupCodesOf(req, p.session.id);
    if (!codes) return res.redirect(303, '/account');
    // Checked here, not only by the browser: the codes must not vanish before the user says they kept them.
    if ((req.body as Record<string, unknown> | undefined)?.saved !== 'yes') {
      return this.render(p, res, codes, ENROLMENT_MESSAGES.acknowledge, 400);
    }
    this.cookies.dropBackupCodes(res);
    res.redirect(303, '/account?added=backup_codes');
  }

  private async render(p: SessionPrincipal, res: Response, codes: string[], error: string | null, status = 200) {
    const { frame } = await this.frames.forUser(p, 'Save your backup codes', 'security');
    this.pages.send(
      res,
      'mfa-backup-codes',
      frame,
      {
        error,
        codes,
        account: p.email,
        organisation: p.tenant.name,
        downloadUrl: downloadUrlOf(codes, p),
        fileName: FILE_NAME,
      },
      status,
    );
  }
}

/**
 * Download as a `data:` link with the `download` attribute: it works without the script and once the
 * server no longer has the codes, and the CSP has nothing to say about it (it governs what a page loads,
 * not where a link saves to); a form posting the codes back for an attachment would send them over the
 * wire again for nothing. The text file says what the codes are for and where they work.
 */
function downloadUrlOf(codes: string[], p: SessionPrincipal): string {
  const text = [
    `Stepguard backup codes for ${p.email} (${p.tenant.name})`,
    'Each code signs you in once, when you cannot use your other two-step verification methods.',
    'Keep them somewhere safe, like a password manager.',
    '',
    ...codes,
    '',
  ].join('\r\n');
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}
