import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { SessionPrincipal } from '../sessions/index.js';
import { passkeyWords } from './messages.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';

/** The page of a passkey's registration: its ceremony, or (refused) the words and a fresh start. */
@Injectable()
export class PasskeyViews {
  constructor(
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  async create(
    p: SessionPrincipal,
    res: Response,
    ceremony: { factorId: string; optionsJson: string; label: string | null },
  ): Promise<void> {
    const { frame } = await this.frames.forUser(p, 'Add a passkey', 'security');
    this.pages.send(
      res,
      'mfa-passkey',
      { ...frame, passkeys: true },
      {
        ceremony,
        error: null,
        label: ceremony.label ?? '',
        passkeyWords: passkeyWords(),
        forced: p.session.enrollmentOnly,
      },
    );
  }

  async notAdded(p: SessionPrincipal, res: Response, error: string, status: number): Promise<void> {
    const { frame } = await this.frames.forUser(p, 'Add a passkey', 'security');
    this.pages.send(
      res,
      'mfa-passkey',
      frame,
      { ceremony: null, error, label: '', passkeyWords: passkeyWords(), forced: p.session.enrollmentOnly },
      status,
    );
  }
}
