import type { Request, Response } from 'express';
import type { AppConfig } from '../common/app-config.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { cookieOf } from '../http/session-cookie.js';

/** Where a revealed value rides: its cookie, the one page that shows it, and what it is sealed for. */
export interface RevealSpec {
  cookie: string;
  path: string;
  /** Bound into the sealing with the session id: a cookie of one kind or session never opens as another. */
  purpose: string;
}

/** Long enough to follow the redirect on a slow connection; the page takes it at once. */
const MAX_AGE_MS = 5 * 60_000;

/**
 * Carries a secret just made from a form's POST to the page that shows it (POST-redirect-GET, so a reload
 * never makes a second one), without it ever being in a URL or stored by the server: sealed under the
 * encryption key and bound to the session, in an HttpOnly cookie scoped to that one page, which clears it
 * as it shows the secret. A reload or Back finds nothing to show.
 */
export abstract class RevealOnce<T> {
  private readonly box: SecretBox;

  protected constructor(
    private readonly config: AppConfig,
    private readonly spec: RevealSpec,
  ) {
    this.box = new SecretBox(config.encryptionKeys);
  }

  keep(res: Response, sessionId: string, value: T): void {
    const sealed = this.box.seal(Buffer.from(JSON.stringify(value)), this.context(sessionId));
    res.cookie(this.spec.cookie, JSON.stringify(sealed), { ...this.options(), maxAge: MAX_AGE_MS });
  }

  /** The value kept for this session, once: the cookie is cleared whatever it held. */
  take(req: Request, res: Response, sessionId: string): T | null {
    const value = cookieOf(req, this.spec.cookie);
    if (value === null) return null;
    res.clearCookie(this.spec.cookie, this.options());
    try {
      const sealed = JSON.parse(value) as { keyId: unknown; ciphertext: unknown };
      if (typeof sealed.keyId !== 'string' || typeof sealed.ciphertext !== 'string') return null;
      const opened = this.box.open({ keyId: sealed.keyId, ciphertext: sealed.ciphertext }, this.context(sessionId));
      return JSON.parse(opened.toString('utf8')) as T;
    } catch {
      // Another session's, altered, or sealed under a key since removed: there is nothing to show.
      return null;
    }
  }

  private context(sessionId: string): string {
    return `${this.spec.purpose}:${sessionId}`;
  }

  private options() {
    return {
      httpOnly: true,
      secure: this.config.publicUrl.startsWith('https:'),
      sameSite: 'strict' as const,
      path: this.spec.path,
    };
  }
}
