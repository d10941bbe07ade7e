import type { Request, Response } from 'express';
import type { AppConfig } from '../common/app-config.js';
import { cookieOf } from '../http/session-cookie.js';

export type PageChallengeMethod = 'totp' | 'email' | 'webauthn' | 'backup_code';
const METHODS: readonly PageChallengeMethod[] = ['totp', 'email', 'webauthn', 'backup_code'];

/** A sign-in between its password and its second factor: the challenge to answer and its methods. */
export interface PendingChallenge {
  id: string;
  methods: PageChallengeMethod[];
}

const COOKIE = 'sg_challenge';
const PATH = '/account/sign-in';

/**
 * The pending challenge rides in an HttpOnly cookie scoped to the sign-in pages, never in a URL: its id
 * is what a second factor is checked against. Its methods only shape the page; the verification checks them.
 */
export function keepChallenge(res: Response, challenge: PendingChallenge & { expiresAt: Date }, config: AppConfig) {
  res.cookie(COOKIE, `${challenge.id}.${challenge.methods.join(',')}`, {
    httpOnly: true,
    secure: config.publicUrl.startsWith('https:'),
    sameSite: 'lax',
    path: PATH,
    expires: challenge.expiresAt,
  });
}

export function pendingChallenge(req: Request): PendingChallenge | null {
  const match = /^([0-9a-f-]{36})\.([a-z_,]{1,40})$/.exec(cookieOf(req, COOKIE) ?? '');
  if (!match) return null;
  const methods = match[2]!
    .split(',')
    .filter((m): m is PageChallengeMethod => METHODS.includes(m as PageChallengeMethod));
  return methods.length ? { id: match[1]!, methods } : null;
}

export function dropChallenge(res: Response, config: AppConfig): void {
  res.clearCookie(COOKIE, {
    httpOnly: true,
    secure: config.publicUrl.startsWith('https:'),
    sameSite: 'lax',
    path: PATH,
  });
}
