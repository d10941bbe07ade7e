import { EntityRepository } from '@mikro-orm/postgresql';
import { pgUuidArray } from '../../infra/database/pg-text-array.js';
import type { RememberedDevice } from './remembered-device.entity.js';

/** Queries named by intent; every one is scoped by tenant (invariant 5). */
export class RememberedDeviceRepository extends EntityRepository<RememberedDevice> {
  findByTokenHash(owner: { tenantId: string; userId: string }, tokenHash: string): Promise<RememberedDevice | null> {
    return this.findOne({ ...owner, tokenHash });
  }

  async hasUnexpired(owner: { tenantId: string; userId: string }, tokenHash: string, now: Date): Promise<boolean> {
    return (await this.count({ ...owner, tokenHash, expiresAt: { $gt: now } })) > 0;
  }

  deleteForUser(tenantId: string, userId: string): Promise<number> {
    return this.nativeDelete({ tenantId, userId });
  }

  deleteForTenant(tenantId: string): Promise<number> {
    return this.nativeDelete({ tenantId });
  }

  /** Deletes the devices of these users of the tenant; returns how many went per user (users with none are left out). */
  async deleteForUsers(tenantId: string, userIds: readonly string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    // SQL: the counts per user come from the delete itself, in one statement for the whole list.
    const rows = await this.getEntityManager().execute<{ user_id: string; forgotten: number }[]>(
      `with forgotten as (
         delete from remembered_devices where tenant_id = ? and user_id = any(?::uuid[]) returning user_id
       )
       select user_id, count(*)::int as forgotten from forgotten group by user_id`,
      [tenantId, pgUuidArray(userIds)],
    );
    return new Map(rows.map((r) => [r.user_id, r.forgotten]));
  }
}
