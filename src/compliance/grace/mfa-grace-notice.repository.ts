import { EntityRepository } from '@mikro-orm/postgresql';
import type { MfaGraceNotice } from './mfa-grace-notice.entity.js';

export interface GraceNoticeKey {
  tenantId: string;
  userId: string;
  kind: string;
  deadline: Date;
}

/** Rows per insert statement: 6 parameters each, well below PostgreSQL's 65,535. */
const INSERT_BATCH = 1000;

export class MfaGraceNoticeRepository extends EntityRepository<MfaGraceNotice> {
  /**
   * Records the notice unless the user has one of this kind for this deadline already; returns its id,
   * or null when it existed. SQL: `on conflict do nothing` is the gate that lets only one of two racing
   * jobs or sweeps go on, without an error that would abort the transaction.
   */
  async recordOnce(notice: GraceNoticeKey, now: Date): Promise<string | null> {
    const [recorded] = await this.recordEach([notice], now);
    return recorded?.id ?? null;
  }

  /**
   * `recordOnce` for many notices in one statement (per thousand): returns those it recorded, with their
   * ids; a notice that existed is left out. Rows go in key order, so two sweeps recording overlapping
   * notices wait for each other's keys in the same order and cannot deadlock.
   */
  async recordEach(notices: readonly GraceNoticeKey[], now: Date): Promise<(GraceNoticeKey & { id: string })[]> {
    const sorted = [...notices].sort(byKey);
    const recorded: (GraceNoticeKey & { id: string })[] = [];
    for (let i = 0; i < sorted.length; i += INSERT_BATCH) {
      const chunk = sorted.slice(i, i + INSERT_BATCH);
      const rows = await this.getEntityManager().execute<
        { id: string; user_id: string; kind: string; deadline_ms: string }[]
      >(
        `insert into mfa_grace_notices (id, tenant_id, user_id, kind, deadline, created_at)
         values ${chunk.map(() => '(gen_random_uuid(), ?::uuid, ?::uuid, ?, ?::timestamptz, ?::timestamptz)').join(', ')}
         on conflict (user_id, kind, deadline) do nothing
         returning id, user_id, kind, (extract(epoch from deadline) * 1000)::bigint as deadline_ms`,
        chunk.flatMap((n) => [n.tenantId, n.userId, n.kind, n.deadline, now]),
      );
      const key = (userId: string, kind: string, deadlineMs: number) => `${userId} ${kind} ${deadlineMs}`;
      const byRow = new Map(rows.map((row) => [key(row.user_id, row.kind, Number(row.deadline_ms)), row.id]));
      for (const notice of chunk) {
        const id = byRow.get(key(notice.userId, notice.kind, notice.deadline.getTime()));
        if (id) recorded.push({ ...notice, id });
      }
    }
    return recorded;
  }

  /** The notice an outbox row refers to, within its tenant. */
  findInTenant(tenantId: string, id: string): Promise<MfaGraceNotice | null> {
    return this.findOne({ tenantId, id });
  }
}

const byKey = (a: GraceNoticeKey, b: GraceNoticeKey) =>
  compare(a.userId, b.userId) || compare(a.kind, b.kind) || a.deadline.getTime() - b.deadline.getTime();
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
