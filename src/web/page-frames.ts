import { Injectable } from '@nestjs/common';
import { MfaStatusReader, type UserMfaStatus } from '../compliance/index.js';
import type { SessionPrincipal } from '../sessions/index.js';
import { FormTokens } from './form-tokens.js';
import type { PageFrame } from './page-renderer.js';

/** Any of these opens the admin console (each of its pages asks for its own). */
const ADMIN_PERMISSIONS = ['tenant:manage', 'users:read', 'audit:read'] as const;

/**
 * The frame of a signed-in page, with the user's MFA status it is built from: the grace banner shows on
 * every page while the user's deadline runs. Routes using it read `MFA_OF_USER` with the principal.
 */
@Injectable()
export class PageFrames {
  constructor(
    private readonly status: MfaStatusReader,
    private readonly tokens: FormTokens,
  ) {}

  async forUser(
    p: SessionPrincipal,
    title: string,
    section?: PageFrame['section'],
  ): Promise<{ frame: PageFrame; mfa: UserMfaStatus }> {
    const mfa = await this.status.forUser(p, null);
    const { compliance } = mfa;
    const frame: PageFrame = {
      title,
      user: { email: p.email, tenantName: p.tenant.name },
      formToken: this.tokens.forSession(p.session.id),
      admin: ADMIN_PERMISSIONS.some((permission) => p.permissions.has(permission)),
      // The gateway refuses enrol-only and flagged sessions: such a page would only hear that refusal.
      live: !p.session.enrollmentOnly && !p.session.stepUpRequiredAt,
      ...(compliance.status === 'grace' ? { deadline: compliance.deadline.toISOString() } : {}),
      ...(section ? { section } : {}),
    };
    return { frame, mfa };
  }
}
