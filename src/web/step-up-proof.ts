import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { allowedByPolicy, type ChallengeAnswer, StepUpCommand } from '../auth/index.js';
import type { RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { Clock } from '../common/clock.js';
import type { UserMfaStatus } from '../compliance/index.js';
import { setSessionCookie } from '../http/session-cookie.js';
import { assertRecentlyAuthenticated } from '../identity/index.js';
import type { Session, SessionPrincipal } from '../sessions/index.js';
import type { PageChallengeMethod } from './sign-in-state.js';

export const METHOD_NAMES: Record<PageChallengeMethod, string> = {
  totp: 'Authenticator app',
  email: 'E-mail code',
  webauthn: 'Passkey',
  backup_code: 'Backup code',
};

/**
 * Where a page may send the user back to after a step-up: one of our own account pages, named by a
 * plain path (no scheme, no `//`, no query), so the parameter can never become an open redirect.
 */
export function safeNext(value: unknown): string | null {
  return typeof value === 'string' && /^\/account(\/[a-z0-9-]{1,64}){0,4}$/.test(value) ? value : null;
}

/** The step-up page that comes back to `next` once the user has verified a factor. */
export function stepUpUrl(next: string): string {
  return `/account/step-up?next=${encodeURIComponent(next)}`;
}

/**
 * Stepping up from a page: the same command as `POST /v1/auth/step-up`, then the page cookie takes the
 * session's new token (the one the browser held is dead from this moment).
 */
@Injectable()
export class StepUpProof {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * The methods a step-up of this user accepts, as `POST /v1/auth/step-up` judges them (the user's factors
   * the policy allows, backup codes beside them); `backupCodes: false` leaves backup codes out, and
   * passkeys are offered only to a page that runs their ceremony (`passkeys: true`). Shapes the page only:
   * the command decides.
   */
  methodsOf(mfa: UserMfaStatus, options: { backupCodes: boolean; passkeys?: boolean }): PageChallengeMethod[] {
    const held: PageChallengeMethod[] = [];
    const types = new Set(mfa.overview.factors.map((f) => f.type as string));
    // First, as the login challenge offers it: nothing to type.
    if (types.has('webauthn') && options.passkeys) held.push('webauthn');
    if (types.has('totp')) held.push('totp');
    if (mfa.overview.backupCodesRemaining > 0 && options.backupCodes) held.push('backup_code');
    if (types.has('email')) held.push('email');
    return allowedByPolicy(held, mfa.policy, mfa.roles);
  }

  /** Whether the session's last check of the user is within the policy's re-auth window (and not flagged). */
  isRecent(p: SessionPrincipal, mfa: UserMfaStatus): boolean {
    try {
      assertRecentlyAuthenticated(p.session, this.clock.now(), mfa.policy.reauthMaxAgeMinutes);
      return true;
    } catch {
      return false;
    }
  }

  /** Verifies the code for this session and moves the page cookie to the new token; the stepped-up session. */
  async prove(p: SessionPrincipal, input: ChallengeAnswer, meta: RequestMeta, res: Response): Promise<Session> {
    const { session, token } = await this.commands.execute(new StepUpCommand(p, input, meta));
    setSessionCookie(res, token, session.expiresAt, this.config.publicUrl);
    return session;
  }
}

/** The method links and current method of a code form, for the `proof-code` partial. */
export function codeForm(methods: PageChallengeMethod[], chosen: unknown, linkBase: string) {
  const method = methods.find((m) => m === chosen) ?? methods[0] ?? null;
  const join = linkBase.includes('?') ? '&' : '?';
  return {
    method,
    methodName: method ? METHOD_NAMES[method] : '',
    backup: method === 'backup_code',
    email: method === 'email',
    passkey: method === 'webauthn',
    choice: methods.length > 1,
    methods: methods.map((m) => ({
      id: m,
      name: METHOD_NAMES[m],
      current: m === method,
      href: `${linkBase}${join}method=${m}`,
    })),
  };
}
