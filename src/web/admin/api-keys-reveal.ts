import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../../common/app-config.js';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { cookieOf } from '../../http/session-cookie.js';

/** A key just created, as the page that shows it once needs it. */
export interface NewApiKey {
  id: string;
  name: string;
  scopes: string[];
  key: string;
}

const COOKIE = 'sg_new_api_key';
const PATH = '/admin/api-keys/created';
/** Long enough to follow the redirect on a slow connection; the page takes it at once. */
const MAX_AGE_MS = 5 * 60_000;

/**
 * Carries a new API key from the form's POST to the page that shows it (POST-redirect-GET, so a reload
 * never creates a second key), without it ever being in a URL or stored by the server: sealed under the
 * encryption key and bound to the session, in an HttpOnly cookie scoped to that one page, which clears it
 * as it shows the key. A reload or Back finds nothing to show.
 */
@Injectable()
export class NewApiKeyReveal {
  private readonly box: SecretBox;

  constructor(private readonly config: AppConfig) {
    this.box = new SecretBox(config.encryptionKeys);
  }

  keep(res: Response, sessionId: string, created: NewApiKey): void {
    const sealed = this.box.seal(Buffer.from(JSON.stringify(created)), context(sessionId));
    res.cookie(COOKIE, JSON.stringify(sealed), { ...this.options(), maxAge: MAX_AGE_MS });
  }

  /** The key kept for this session, once: the cookie is cleared whatever it held. */
  take(req: Request, res: Response, sessionId: string): NewApiKey | null {
    const value = cookieOf(req, COOKIE);
    if (value === null) return null;
    res.clearCookie(COOKIE, this.options());
    try {
      const sealed = JSON.parse(value) as { keyId: unknown; ciphertext: unknown };
      if (typeof sealed.keyId !== 'string' || typeof sealed.ciphertext !== 'string') return null;
      const opened = this.box.open({ keyId: sealed.keyId, ciphertext: sealed.ciphertext }, context(sessionId));
      return JSON.parse(opened.toString('utf8')) as NewApiKey;
    } catch {
      // Another session's, altered, or sealed under a key since removed: there is nothing to show.
      return null;
    }
  }

  private options() {
    return {
      httpOnly: true,
      secure: this.config.publicUrl.startsWith('https:'),
      sameSite: 'strict' as const,
      path: PATH,
    };
  }
}

const context = (sessionId: string) => `page new api key:${sessionId}`;
