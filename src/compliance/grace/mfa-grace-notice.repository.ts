import { EntityRepository } from '@mikro-orm/postgresql';
import type { MfaGraceNotice } from './mfa-grace-notice.entity.js';

export class MfaGraceNoticeRepository extends EntityRepository<MfaGraceNotice> {
  /**
   * Records the notice unless the user has one of this kind for this deadline already; returns its id,
   * or null when it existed. SQL: `on conflict do nothing` is the gate that lets only one of two racing
   * jobs or sweeps go on, without an error that would abort the transaction.
   */
  async recordOnce(
    notice: { tenantId: string; userId: string; kind: string; deadline: Date },
    now: Date,
  ): Promise<string | null> {
    const [row] = await this.getEntityManager().execute<{ id: string }[]>(
      `insert into mfa_grace_notices (id, tenant_id, user_id, kind, deadline, created_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?)
       on conflict (user_id, kind, deadline) do nothing
       returning id`,
      [notice.tenantId, notice.userId, notice.kind, notice.deadline, now],
    );
    return row?.id ?? null;
  }

  /** The notice an outbox row refers to, within its tenant. */
  findInTenant(tenantId: string, id: string): Promise<MfaGraceNotice | null> {
    return this.findOne({ tenantId, id });
  }
}
