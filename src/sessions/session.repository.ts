import { EntityRepository, LockMode } from '@mikro-orm/postgresql';
import { deleteInBatches } from '../infra/database/delete-in-batches.js';
import { pgUuidArray } from '../infra/database/pg-text-array.js';
import { runPrepared } from '../infra/database/prepared-statement.js';
import type { ChainedRow } from '../audit/index.js';
import type { PrincipalRead, PrincipalReads } from '../common/access/principal-read.js';
import type { Role } from '../common/access/roles.js';
import { Session } from './session.entity.js';

/** A session with what a request needs of its user and tenant, read by the token in one query. */
export interface AuthenticatedSession {
  session: Session;
  reads: PrincipalReads;
  user: { email: string; roles: Role[] };
  tenant: { slug: string; name: string; mfaPolicyVersion: number };
}

interface AuthenticatedRow extends Record<string, unknown> {
  user_email: string;
  user_roles: Role[];
  tenant_slug: string;
  tenant_name: string;
  tenant_mfa_policy_version: number;
}

// SQL: the request's only round trip to authenticate, a prepared statement (one per set of reads). The
// session joined to its user and tenant (both identity's tables, below this slice), with the reads the
// route asked for. A revocation committed before it fails it.
const sessionsWithReadsSql = (reads: string, where: string) => `
  select s.*, u.email as user_email, u.roles::text[] as user_roles, t.slug as tenant_slug,
         t.name as tenant_name, t.mfa_policy_version as tenant_mfa_policy_version${reads}
    from sessions s
    join users u on u.id = s.user_id and u.tenant_id = s.tenant_id
    join tenants t on t.id = s.tenant_id
   where ${where}`;

/** Queries named by intent; every one is scoped by tenant (invariant 5). */
export class SessionRepository extends EntityRepository<Session> {
  /**
   * The session behind a token hash with its user and tenant, live or not (the caller judges), its
   * activity recorded if it was `notAfter` or older.
   */
  async authenticate(
    tokenHash: string,
    now: Date,
    reads: readonly PrincipalRead<unknown>[] = [],
  ): Promise<AuthenticatedSession | null> {
    const [found] = await this.withReads('authenticate', 's.token_hash = ?', tokenHash, now, reads);
    return found ?? null;
  }

  /** The sessions with these ids, live or not, each with its user, tenant and reads (the gateway's re-check). */
  readByIds(ids: readonly string[], now: Date, reads: readonly PrincipalRead<unknown>[] = []) {
    return this.withReads('sessions-by-id', 's.id = any(?::uuid[])', pgUuidArray(ids), now, reads);
  }

  private async withReads(
    name: string,
    where: string,
    key: unknown,
    now: Date,
    reads: readonly PrincipalRead<unknown>[],
  ): Promise<AuthenticatedSession[]> {
    const em = this.getEntityManager();
    const expressions = reads.map((read) => ({ read, ...read.expression(now) }));
    const rows = await runPrepared<AuthenticatedRow>(
      em,
      [name, ...reads.map((r) => r.alias)].join(':'),
      sessionsWithReadsSql(expressions.map((e) => `, (${e.sql}) as ${e.read.alias}`).join(''), where),
      [...expressions.flatMap((e) => e.params), key],
    );
    return rows.map((row) => {
      const { user_email, user_roles, tenant_slug, tenant_name, tenant_mfa_policy_version, ...columns } = row;
      const values = new Map(reads.map((read) => [read, read.from(columns[read.alias])] as const));
      for (const read of reads) delete columns[read.alias];
      // Mapped, not merged into an identity map: the guard's copy is read-only (every change reloads the
      // session in its own transaction), and merging was a third of the ORM's share of a request's CPU.
      const session = Object.assign(
        Object.create(Session.prototype) as Session,
        em.getComparator().mapResult(em.getMetadata(Session), columns),
      );
      return {
        session,
        reads: values,
        user: { email: user_email, roles: user_roles },
        tenant: { slug: tenant_slug, name: tenant_name, mfaPolicyVersion: tenant_mfa_policy_version },
      };
    });
  }

  /**
   * The live session, row-locked for revocation (inside a transaction): a concurrent revocation
   * waits, then no longer matches `revokedAt: null`, so each session is revoked and audited once.
   */
  lockForUser(tenantId: string, userId: string, id: string): Promise<Session | null> {
    return this.findOne({ tenantId, userId, id, revokedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /**
   * Revokes one live session of a user and appends its audit entry in one statement, its own transaction
   * (a prepared statement outside any other): the row lock is the UPDATE's own, so a concurrent revocation
   * waits, then no longer matches, and the entry is appended only for a session this statement revoked.
   * Returns the chained entry's row, or null when there was no such live session.
   */
  async revokeOfUser(
    owner: { tenantId: string; userId: string },
    id: string,
    revocation: { reason: string; now: Date },
    audit: { sql: string; params: unknown[] },
  ): Promise<ChainedRow | null> {
    const [row] = await runPrepared<ChainedRow>(
      this.getEntityManager(),
      'revoke-session-of-user',
      `with revoked as (
         update sessions set revoked_at = ?, revoked_reason = ?
          where tenant_id = ? and user_id = ? and id = ? and revoked_at is null
         returning id
       )
       select a.seq, a.prev_hash, a.hash from revoked cross join lateral ${audit.sql} a`,
      [revocation.now, revocation.reason, owner.tenantId, owner.userId, id, ...audit.params],
    );
    return row ?? null;
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

  /**
   * Flags the live sessions of the targets (users, or single sessions) step-up-required, each with its
   * target's reason (a session already flagged takes the new one); returns the sessions flagged.
   */
  async flagLiveForStepUp(
    tenantId: string,
    by: 'user' | 'session',
    targets: readonly { id: string; reason: string }[],
    now: Date,
  ): Promise<{ id: string; userId: string }[]> {
    if (targets.length === 0) return [];
    const column = by === 'user' ? 'user_id' : 'id';
    // SQL, one statement for a whole Disconnect round: the reasons travel as JSON, so no text needs
    // quoting. The `= any` repeats the join key as an array so the planner walks the index, not the table.
    const rows = await this.getEntityManager().execute<{ id: string; user_id: string }[]>(
      `update sessions s set step_up_required_at = ?, step_up_reason = v.reason
       from jsonb_to_recordset(?::jsonb) as v(target uuid, reason text)
       where s.tenant_id = ? and s.${column} = any(?::uuid[]) and s.${column} = v.target
         and s.revoked_at is null and s.expires_at > ?
         and s.last_active_at + make_interval(secs => s.idle_timeout_seconds) > ?
       returning s.id, s.user_id`,
      [
        now,
        JSON.stringify(targets.map((t) => ({ target: t.id, reason: t.reason }))),
        tenantId,
        pgUuidArray(targets.map((t) => t.id)),
        now,
        now,
      ],
    );
    return rows.map((r) => ({ id: r.id, userId: r.user_id }));
  }

  /**
   * Records activity only if the stored value is a minute old (so concurrent requests write once) and
   * the session is still live: activity never revives a session that ended meanwhile.
   */
  async touch(id: string, now: Date, notAfter: Date): Promise<void> {
    await this.getEntityManager().execute(
      `update sessions set last_active_at = ?
        where id = ? and last_active_at <= ? and revoked_at is null and expires_at > ?
          and last_active_at + make_interval(secs => idle_timeout_seconds) > ?`,
      [now, id, notAfter, now, now],
    );
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
