import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { countsAsEnrolled, MfaPolicyStore } from '../policy/index.js';
import type { Session } from '../sessions/index.js';
import { UsersDirectory } from '../identity/index.js';
import { Factor } from './factor.entity.js';

const MINUTE_MS = 60_000;

const existingFactorNeeded = () =>
  new DomainError(
    'reauth_required',
    'Verify one of your existing factors (POST /v1/auth/step-up) before adding another',
  );
const freshSignInNeeded = () =>
  new DomainError('reauth_required', 'Sign in again (your password, within the last few minutes) to add a factor');

/**
 * Who may add a factor to an account: holding a session is not enough, or a stolen session could add
 * the thief's authenticator and use it everywhere the user's own counts (security review 2, finding 1).
 *
 * - A user who has a factor the policy accepts must have verified one of them in this session within
 *   the re-auth window (a login challenge or a step-up; both count only factors older than the session).
 * - A user with none must have given their password within the window: a fresh sign-in. That covers the
 *   enrol-only session of an overdue user and the session opened through an admin's MFA reset link,
 *   as long as they are younger than the window; an older one signs in again.
 */
export function assertMayEnrol(
  session: Pick<Session, 'mfaVerifiedAt' | 'authenticatedAt' | 'mfaResetId'>,
  hasFactor: boolean,
  now: Date,
  windowMinutes: number,
): void {
  const within = (at: Date | null) => at !== null && now.getTime() - at.getTime() <= windowMinutes * MINUTE_MS;
  // A reset link replaces factors the user has lost: the admin's reset stands in for them.
  if (hasFactor && !session.mfaResetId) {
    if (!within(session.mfaVerifiedAt)) throw existingFactorNeeded();
    return;
  }
  if (!within(session.authenticatedAt)) throw freshSignInNeeded();
}

/** The enrolment rule on the stored policy and factors; call it holding the user's factors lock. */
@Injectable()
export class EnrolmentProof {
  constructor(
    private readonly policies: MfaPolicyStore,
    private readonly directory: UsersDirectory,
  ) {}

  /** Before a factor is started. */
  async assertMayStart(em: EntityManager, session: Session, now: Date): Promise<void> {
    const { hasFactor, windowMinutes } = await this.standing(em, session);
    assertMayEnrol(session, hasFactor, now, windowMinutes);
  }

  /**
   * Before a pending factor becomes active: if the user gained a factor since it was started (another
   * session enrolled one meanwhile), the proof of an existing factor is owed now.
   */
  async assertMayActivate(em: EntityManager, session: Session, factorId: string, now: Date): Promise<void> {
    const { hasFactor, windowMinutes } = await this.standing(em, session, factorId);
    if (hasFactor) assertMayEnrol(session, hasFactor, now, windowMinutes);
  }

  /** Whether the user has a factor the policy accepts, leaving out the one being activated. */
  private async standing(em: EntityManager, session: Session, activating?: string) {
    const { tenantId, userId } = session;
    const [{ settings }, user, active] = await Promise.all([
      this.policies.current(tenantId, em),
      this.directory.findUser(tenantId, userId, em),
      em.find(
        Factor,
        { tenantId, userId, status: 'active', ...(activating ? { id: { $ne: activating } } : {}) },
        { fields: ['type'] },
      ),
    ]);
    return {
      // A factor not accepted for the user's roles (a code, for a role held to passkeys) proves nothing here.
      hasFactor: countsAsEnrolled(
        settings,
        user?.roles ?? [],
        active.map((f) => f.type),
      ),
      windowMinutes: settings.reauthMaxAgeMinutes,
    };
  }
}
