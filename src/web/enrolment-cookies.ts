import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../common/app-config.js';
import { Clock } from '../common/clock.js';
import { SecretBox, SecretBoxError } from '../common/crypto/secret-box.js';
import { cookieOf } from '../http/session-cookie.js';

/** A TOTP enrolment between its start and its first code: what the page shows again on a reload or a wrong code. */
export interface PendingTotp {
  factorId: string;
  /** The base32 key the user may type instead of scanning. */
  secret: string;
  otpauthUri: string;
}

interface Kind<T> {
  cookie: string;
  path: string;
  lifetimeMs: number;
  valid(value: unknown): value is T;
}

const MINUTE = 60_000;

/** As long as a pending factor can be verified (PENDING_FACTOR_TTL_MS): after that its QR code is useless. */
const TOTP: Kind<PendingTotp> = {
  cookie: 'sg_totp',
  path: '/account/mfa/totp',
  lifetimeMs: 15 * MINUTE,
  valid: (v): v is PendingTotp => {
    const o = v as Partial<PendingTotp> | null;
    return typeof o?.factorId === 'string' && typeof o.secret === 'string' && typeof o.otpauthUri === 'string';
  },
};

/** Long enough to write the codes down or find a printer; the user cannot see them again afterwards. */
const BACKUP_CODES: Kind<string[]> = {
  cookie: 'sg_codes',
  path: '/account/mfa/backup-codes',
  lifetimeMs: 30 * MINUTE,
  valid: (v): v is string[] => Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === 'string'),
};

/**
 * What the enrolment pages must show more than once but the server keeps nowhere in the clear: a TOTP key
 * and QR code until the first code proves it, and the first backup codes until the user says they saved
 * them. Each rides in an HttpOnly cookie scoped to its own pages, sealed (AES-256-GCM under the
 * configured encryption keys) with the session id as authenticated data: never in a URL, unreadable by
 * scripts and by anyone who copies the cookie, worthless to another session, and cleared once used. The
 * expiry inside the seal is checked on the injected clock, not trusted from the browser.
 */
@Injectable()
export class EnrolmentCookies {
  constructor(
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  keepTotp(res: Response, sessionId: string, pending: PendingTotp): void {
    this.keep(res, TOTP, sessionId, pending);
  }

  totpOf(req: Request, sessionId: string): PendingTotp | null {
    return this.read(req, TOTP, sessionId);
  }

  dropTotp(res: Response): void {
    this.drop(res, TOTP);
  }

  keepBackupCodes(res: Response, sessionId: string, codes: string[]): void {
    this.keep(res, BACKUP_CODES, sessionId, codes);
  }

  backupCodesOf(req: Request, sessionId: string): string[] | null {
    return this.read(req, BACKUP_CODES, sessionId);
  }

  dropBackupCodes(res: Response): void {
    this.drop(res, BACKUP_CODES);
  }

  private keep<T>(res: Response, kind: Kind<T>, sessionId: string, value: T): void {
    const expires = new Date(this.clock.now().getTime() + kind.lifetimeMs);
    const plain = Buffer.from(JSON.stringify({ value, exp: expires.getTime() }));
    const sealed = this.box.seal(plain, contextOf(kind, sessionId));
    plain.fill(0);
    const cookie = `${Buffer.from(sealed.keyId).toString('base64url')}.${sealed.ciphertext}`;
    res.cookie(kind.cookie, cookie, { ...this.options(kind), expires });
  }

  private read<T>(req: Request, kind: Kind<T>, sessionId: string): T | null {
    const raw = cookieOf(req, kind.cookie);
    const dot = raw?.indexOf('.') ?? -1;
    if (!raw || dot < 1 || raw.length > 2000) return null;
    try {
      const keyId = Buffer.from(raw.slice(0, dot), 'base64url').toString('utf8');
      const opened = this.box.open({ keyId, ciphertext: raw.slice(dot + 1) }, contextOf(kind, sessionId));
      const { value, exp } = JSON.parse(opened.toString('utf8')) as { value: unknown; exp: unknown };
      opened.fill(0);
      if (typeof exp !== 'number' || exp <= this.clock.now().getTime()) return null;
      return kind.valid(value) ? value : null;
    } catch (error) {
      // Altered, another session's, or sealed under a key since retired: as if there were none.
      if (error instanceof SecretBoxError || error instanceof SyntaxError) return null;
      throw error;
    }
  }

  private drop(res: Response, kind: Kind<unknown>): void {
    res.clearCookie(kind.cookie, this.options(kind));
  }

  private options(kind: Kind<unknown>) {
    return {
      httpOnly: true,
      secure: this.config.publicUrl.startsWith('https:'),
      sameSite: 'lax' as const,
      path: kind.path,
    };
  }
}

const contextOf = (kind: Kind<unknown>, sessionId: string) => `page ${kind.cookie} of session ${sessionId}`;
