import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppConfig } from '../common/app-config.js';
import { constantTimeEqual } from '../common/crypto/tokens.js';
import { cookieOf } from '../http/session-cookie.js';

/** The hidden field every page form carries. */
export const FORM_TOKEN_FIELD = '_form';

/**
 * Anti-forgery tokens of the pages' forms (OWASP's signed, session-bound double submit): an HMAC of what
 * the form is bound to, under a key derived from the newest encryption key, so nothing is stored. A
 * signed-in form is bound to the session; a form before sign-in to a random cookie of its own
 * (`sg_form`), which another site can neither read nor, being HttpOnly and `__Host-` over HTTPS, set.
 */
@Injectable()
export class FormTokens {
  private readonly key: Buffer;

  constructor(private readonly config: AppConfig) {
    const current = config.encryptionKeys.at(-1)!;
    this.key = Buffer.from(hkdfSync('sha256', current.key, Buffer.alloc(0), 'stepguard page forms', 32));
  }

  private get cookieName(): string {
    return this.config.publicUrl.startsWith('https:') ? '__Host-sg_form' : 'sg_form';
  }

  forSession(sessionId: string): string {
    return this.sign(`session:${sessionId}`);
  }

  /** The token of a form shown before sign-in, setting its cookie when the browser has none yet. */
  forVisitor(req: Request, res: Response): string {
    let visitor = this.visitorOf(req);
    if (!visitor) {
      visitor = randomBytes(32).toString('base64url');
      res.cookie(this.cookieName, visitor, {
        httpOnly: true,
        secure: this.config.publicUrl.startsWith('https:'),
        sameSite: 'lax',
        path: '/',
      });
    }
    return this.sign(`visitor:${visitor}`);
  }

  /** Whether the posted token is the one this session's (or, signed out, this browser's) forms carry. */
  verify(req: Request, sessionId: string | null): boolean {
    const posted = (req.body as Record<string, unknown> | undefined)?.[FORM_TOKEN_FIELD];
    if (typeof posted !== 'string' || posted.length > 100) return false;
    const visitor = sessionId ? null : this.visitorOf(req);
    if (!sessionId && !visitor) return false;
    const expected = sessionId ? this.forSession(sessionId) : this.sign(`visitor:${visitor}`);
    return constantTimeEqual(posted, expected);
  }

  private visitorOf(req: Request): string | null {
    const value = cookieOf(req, this.cookieName);
    return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
  }

  private sign(binding: string): string {
    return createHmac('sha256', this.key).update(binding).digest('base64url');
  }
}
