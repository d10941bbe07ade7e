import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { OutboxMessage } from '../../infra/outbox/outbox-message.entity.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';

/**
 * A saved policy can make users overdue at once (`gracePeriodDays: 0`, a role or method newly
 * required): their sessions must end now, not at the next periodic sweep. The sweep of the tenant is
 * an outbox row of the save's transaction, relayed to the `grace` queue once it commits, so a crash
 * between the commit and the relay delays it to the next outbox sweep, never loses it.
 */
@Injectable()
export class GraceSweepAfterChange {
  constructor(
    private readonly clock: Clock,
    private readonly outbox: OutboxRelay,
  ) {}

  async queue(tx: Tx, tenantId: string, policyVersionId: string): Promise<void> {
    const row = new OutboxMessage({
      tenantId,
      kind: 'grace_policy_sweep',
      refId: policyVersionId,
      now: this.clock.now(),
    });
    tx.em.persist(row);
    await tx.em.flush();
    tx.afterCommit(() => this.outbox.relayNow([row.id]));
  }
}
