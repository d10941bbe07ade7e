import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { AuditLog } from '../audit/index.js';
import type { Actor, RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { Clock } from '../common/clock.js';
import { hashToken, newOpaqueToken } from '../common/crypto/tokens.js';
import type { Tx } from '../common/cqrs/unit-of-work.js';
import type { App } from '../identity/index.js';
import { deviceInfoOf } from './device-info.js';
import { RememberedDevices } from './remembered-devices/remembered-devices.js';
import { SessionCreatedEvent, SessionRevokedEvent, SessionTokenRotatedEvent } from './events/session.events.js';
import { ACTIVITY_WRITE_INTERVAL_MS, type AuthMethod, Session } from './session.entity.js';
import type { AuthenticatedSession } from './session.repository.js';
import type { PrincipalRead } from '../common/access/principal-read.js';

export const SESSION_TOKEN_PREFIX = 'sgs_';

export interface FlaggedSession {
  id: string;
  userId: string;
  flaggedFor: 'user' | 'session';
}

/** The sessions slice as other slices see it: open, authenticate and revoke, inside their transactions. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditLog,
    private readonly events: EventBus,
  ) {}

  async open(
    tx: Tx,
    input: {
      tenantId: string;
      userId: string;
      amr: AuthMethod[];
      request: RequestMeta;
      enrollmentOnly?: boolean;
      mfaResetId?: string;
      /** The second factor was a passkey that verified the person (biometrics or PIN). */
      userVerified?: boolean;
      /** The registered app whose key the sign-in carried; none = bound to no app. */
      app?: { id: string; kind: App } | null;
    },
  ): Promise<{ session: Session; token: string }> {
    const token = newOpaqueToken(SESSION_TOKEN_PREFIX);
    const session = new Session({
      tenantId: input.tenantId,
      userId: input.userId,
      tokenHash: hashToken(token),
      amr: input.amr,
      device: deviceInfoOf(input.request),
      now: this.clock.now(),
      absoluteTimeoutMs: this.config.absoluteTimeoutMs,
      idleTimeoutMs: this.config.idleTimeoutMs,
    });
    session.enrollmentOnly = input.enrollmentOnly ?? false;
    session.mfaResetId = input.mfaResetId ?? null;
    session.userVerifiedAt = input.userVerified ? session.createdAt : null;
    session.app = input.app?.kind ?? null;
    session.appId = input.app?.id ?? null;
    tx.em.persist(session);
    await tx.em.flush();
    await this.audit.record(tx, new SessionCreatedEvent(session.tenantId, session.userId, session.id), {
      actor: { type: 'user', id: session.userId },
      target: { type: 'session', id: session.id },
      request: input.request,
      details: {
        amr: session.amr,
        ...(session.userVerifiedAt ? { userVerified: true } : {}),
        deviceType: session.deviceType,
        browser: session.browser,
        os: session.os,
        ...(session.enrollmentOnly ? { enrollmentOnly: true } : {}),
        ...(session.app ? { app: session.app, appId: session.appId } : {}),
      },
    });
    return { session, token };
  }

  /**
   * Gives a live session a new token in the caller's transaction (after a step-up or a raise to aal 2):
   * the old token stops working at commit, so whoever else held it is left with nothing. The session
   * keeps its id; its sockets still on the old token are closed once the transaction commits.
   */
  async rotateToken(tx: Tx, session: Session): Promise<string> {
    const token = newOpaqueToken(SESSION_TOKEN_PREFIX);
    session.tokenHash = hashToken(token);
    await tx.em.flush();
    tx.publish(new SessionTokenRotatedEvent(session.tenantId, session.userId, session.id, session.tokenFingerprint));
    return token;
  }

  /**
   * The session behind a bearer token, with its user and tenant, if it is live right now. Read from
   * PostgreSQL on every request (one indexed query that also records activity once a minute), so a
   * revocation on any node holds on the very next request.
   */
  async authenticate(
    token: string,
    reads: readonly PrincipalRead<unknown>[] = [],
  ): Promise<AuthenticatedSession | null> {
    if (!token.startsWith(SESSION_TOKEN_PREFIX)) return null;
    const now = this.clock.now();
    const sessions = this.orm.em.fork().getRepository(Session);
    const found = await sessions.authenticate(hashToken(token), now, reads);
    if (!found?.session.isActiveAt(now)) return null;
    const { session } = found;
    if (session.needsActivityWrite(now)) {
      // Once a minute per session, a second statement, awaited: were it left running, the session's next
      // request could read the old activity and find it idle-expired when it is not.
      await sessions.touch(session.id, now, new Date(now.getTime() - ACTIVITY_WRITE_INTERVAL_MS));
      session.lastActiveAt = now;
    }
    return found;
  }

  /**
   * A live socket is use of its session: the gateway records it for the sessions it holds sockets of
   * (its re-check interval must stay under half the idle timeout).
   */
  async recordActivity(ids: readonly string[]): Promise<void> {
    const now = this.clock.now();
    await this.orm.em.fork().getRepository(Session).touchLive(ids, now);
  }

  /**
   * The sessions with these ids, live or not, with their users, tenants and `reads`, in one query (the
   * socket gateway re-checks its connections with it). Sessions of every tenant: a node's sockets are.
   */
  readByIds(ids: readonly string[], reads: readonly PrincipalRead<unknown>[] = []): Promise<AuthenticatedSession[]> {
    return this.orm.em.fork().getRepository(Session).readByIds(ids, this.clock.now(), reads);
  }

  /**
   * Flags live sessions step-up-required, in the caller's transaction: every live session of each user
   * in `users`, and each session in `sessions` if it is live, with the reason given for it (a session
   * already flagged takes the new reason). The users' remembered devices are deleted in the same
   * transaction, so a new login cannot skip the factor check either; the caller audits that.
   */
  async requireStepUp(
    tx: Tx,
    tenantId: string,
    targets: { users: readonly { id: string; reason: string }[]; sessions: readonly { id: string; reason: string }[] },
  ): Promise<{ flagged: FlaggedSession[]; devicesForgotten: Map<string, number> }> {
    const now = this.clock.now();
    const sessions = tx.em.getRepository(Session);
    const byUser = await sessions.flagLiveForStepUp(tenantId, 'user', targets.users, now);
    const devicesForgotten = await RememberedDevices.forget(tx, { tenantId, userIds: targets.users.map((t) => t.id) });
    const bySession = await sessions.flagLiveForStepUp(tenantId, 'session', targets.sessions, now);
    const flagged = [
      ...byUser.map((s): FlaggedSession => ({ ...s, flaggedFor: 'user' })),
      ...bySession.map((s): FlaggedSession => ({ ...s, flaggedFor: 'session' })),
    ];
    return { flagged, devicesForgotten };
  }

  /** Sessions of the tenant among `ids`, live or not, with their users; another tenant's are left out. */
  async ownersOf(tx: Tx, tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const found = await tx.em.find(Session, { tenantId, id: { $in: [...ids] } }, { fields: ['id', 'userId'] });
    return new Map(found.map((s) => [s.id, s.userId]));
  }

  async revoke(tx: Tx, session: Session, reason: string, actor: Actor, request: RequestMeta): Promise<boolean> {
    if (!session.revoke(reason, this.clock.now())) return false;
    await tx.em.flush();
    await this.recordRevoked(tx, session, reason, actor, request);
    return true;
  }

  /**
   * Revokes one of the user's own live sessions by id, without reading it first: the hot path of
   * `DELETE /v1/me/sessions/{id}`, one statement that is its own transaction (the UPDATE and the audit
   * append together). False when there is no such live session.
   */
  async revokeOfUser(
    session: { tenantId: string; userId: string; id: string },
    reason: string,
    actor: Actor,
    request: RequestMeta,
  ): Promise<boolean> {
    const now = this.clock.now();
    const event = new SessionRevokedEvent(session.tenantId, session.userId, session.id, reason);
    const entry = this.audit.inStatement(event, revokedEntry(session, reason, actor, request));
    const repo = this.orm.em.fork().getRepository(Session);
    const chained = await repo.revokeOfUser(session, session.id, { reason, now }, entry);
    if (!chained) return false;
    entry.appended(chained, (e) => this.events.publish(e));
    return true;
  }

  private async recordRevoked(
    tx: Tx,
    session: { tenantId: string; userId: string; id: string },
    reason: string,
    actor: Actor,
    request: RequestMeta,
  ): Promise<void> {
    const event = new SessionRevokedEvent(session.tenantId, session.userId, session.id, reason);
    await this.audit.record(tx, event, revokedEntry(session, reason, actor, request));
  }

  /**
   * Revokes every live session of a user but `exceptSessionId` (and, with `onlyApps`, only those bound
   * to one of these apps or to none); returns how many were revoked.
   */
  async revokeAllForUser(
    tx: Tx,
    input: {
      tenantId: string;
      userId: string;
      exceptSessionId?: string;
      onlyApps?: readonly App[];
      reason: string;
      actor: Actor;
      request: RequestMeta;
    },
  ): Promise<number> {
    const live = await tx.em.getRepository(Session).lockLiveForUser(input.tenantId, input.userId, this.clock.now());
    let revoked = 0;
    for (const session of live) {
      if (session.id === input.exceptSessionId) continue;
      if (input.onlyApps && session.app !== null && !input.onlyApps.includes(session.app)) continue;
      if (await this.revoke(tx, session, input.reason, input.actor, input.request)) revoked++;
    }
    return revoked;
  }
}

/** A revocation's audit entry. */
function revokedEntry(session: { userId: string; id: string }, reason: string, actor: Actor, request: RequestMeta) {
  return { actor, target: { type: 'session', id: session.id }, request, details: { reason, userId: session.userId } };
}
