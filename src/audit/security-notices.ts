import { Injectable } from '@nestjs/common';
import type { Tx } from '../common/cqrs/unit-of-work.js';
import { Clock } from '../common/clock.js';
import { pgUuidArray } from '../infra/database/pg-text-array.js';
import { OutboxRelay } from '../infra/outbox/outbox-relay.js';
import type { AuditEvent } from './audit-event.entity.js';

/**
 * Tells users by e-mail of a change to their account's security (invariant 9). The outbox row, written
 * in the change's transaction, points at the change's audit entry and names the user: the worker reads
 * what happened, when and from where off that entry, so no copy of it and no secret travels.
 */
@Injectable()
export class SecurityNotices {
  constructor(
    private readonly clock: Clock,
    private readonly outbox: OutboxRelay,
  ) {}

  /** One mail to each of `userIds` about `entry`; relayed to the workers once the transaction commits. */
  async tell(tx: Tx, entry: AuditEvent, userIds: string | readonly string[]): Promise<void> {
    const users = [...new Set(typeof userIds === 'string' ? [userIds] : userIds)];
    if (users.length === 0) return;
    // One statement however many users (an admin forgetting every device of a large tenant).
    const rows = await tx.em.execute<{ id: string }[]>(
      `insert into outbox_messages (id, tenant_id, kind, ref_id, user_id, created_at)
       select gen_random_uuid(), ?, 'security_notice', ?, u, ? from unnest(?::uuid[]) as u
       returning id`,
      [entry.tenantId, entry.id, this.clock.now(), pgUuidArray(users)],
    );
    tx.afterCommit(() => this.outbox.relayNow(rows.map((r) => r.id)));
  }
}
