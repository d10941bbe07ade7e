import { EntityRepository, LockMode } from '@mikro-orm/postgresql';
import { deleteInBatches } from '../infra/database/delete-in-batches.js';
import { pgUuidArray } from '../infra/database/pg-text-array.js';
import type { Session } from './session.entity.js';

/** Queries named by intent; every one is scoped by tenant (invariant 5). */
export class SessionRepository extends EntityRepository<Session> {
  findByTokenHash(tokenHash: string): Promise<Session | null> {
    return this.findOne({ tokenHash });
  }

  /**
   * The live session, row-locked for revocation (inside a transaction): a concurrent revocation
   * waits, then no longer matches `revokedAt: null`, so each session is revoked and audited once.
   */
  lockForUser(tenantId: string, userId: string, id: string): Promise<Session | null> {
    return this.findOne({ tenantId, userId, id, revokedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  lockInTenant(tenantId: string, id: string): Promise<Session | null> {
    return this.findOne({ tenantId, id, revokedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /** The live sessions opened through an app, row-locked for revocation. */
  lockLiveForApp(tenantId: string, appId: string, now: Date): Promise<Session[]> {
    return this.find(
      { tenantId, appId, revokedAt: null, expiresAt: { $gt: now } },
      { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
  }

  lockLiveForUser(tenantId: string, userId: string, now: Date): Promise<Session[]> {
    return this.find(
      { tenantId, userId, revokedAt: null, expiresAt: { $gt: now } },
      { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
  }

  /** Sessions that are not revoked and not past their absolute expiry; idle ones are filtered by the caller. */
  listLiveForUser(tenantId: string, userId: string, now: Date): Promise<Session[]> {
    return this.find(
      { tenantId, userId, revokedAt: null, expiresAt: { $gt: now } },
      { orderBy: { lastActiveAt: 'desc', id: 'asc' } },
    );
  }

  /** Records activity only if the stored value is a minute old, so concurrent requests write once. */
  async touch(id: string, now: Date, notAfter: Date): Promise<void> {
    await this.nativeUpdate({ id, lastActiveAt: { $lte: notAfter } }, { lastActiveAt: now });
  }

  /**
   * Records activity for several sessions at once, each only once half its idle timeout has passed
   * since its last recorded activity (so a connected session is written twice per idle period, not
   * every minute), and only while it is live: activity never revives an idle-expired session.
   */
  async touchLive(ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.getEntityManager().execute(
      `update sessions set last_active_at = ?
       where id = any(?::uuid[]) and revoked_at is null and expires_at > ?
         and last_active_at + make_interval(secs => idle_timeout_seconds / 2.0) <= ?
         and last_active_at + make_interval(secs => idle_timeout_seconds) > ?`,
      [now, pgUuidArray(ids), now, now, now],
    );
  }

  /** Deletes every session that can never be used again, in batches; returns how many went. */
  deleteExpired(now: Date, batchSize: number): Promise<number> {
    return deleteInBatches(
      this.getEntityManager(),
      'sessions',
      `expires_at <= ? or revoked_at is not null or last_active_at + make_interval(secs => idle_timeout_seconds) <= ?`,
      [now, now],
      batchSize,
    );
  }
}
