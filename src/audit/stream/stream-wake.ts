import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { JobQueues } from '../../infra/queues/job-queues.js';
import { jobIdOf } from '../../infra/queues/job-id.js';
import { pgTextArray } from '../../infra/database/pg-text-array.js';

/** A due delivery: one sink, one chain. */
export interface DuePair {
  sinkId: string;
  chainKey: string;
}

/**
 * Queues deliveries. One job per sink and chain at a time (a second waits behind a running one, so work
 * that arrived meanwhile is never missed), whoever wakes it: a commit's notification, the tick, an admin.
 */
@Injectable()
export class StreamWake {
  constructor(
    private readonly orm: MikroORM,
    private readonly queues: JobQueues,
  ) {}

  async pairs(pairs: readonly DuePair[]): Promise<void> {
    await Promise.all(
      pairs.map(({ sinkId, chainKey }) =>
        this.queues.wake('audit-stream', 'deliver-chain', { sinkId, chainKey }, jobIdOf('deliver', sinkId, chainKey)),
      ),
    );
  }

  /** Every chain of one sink (after a resume, a replay, a retry or a skip). */
  async sink(sinkId: string): Promise<void> {
    const rows = await this.orm.em
      .fork()
      .execute<{ chain_key: string }[]>('select chain_key from audit_sink_cursors where sink_id = ?', [sinkId]);
    await this.pairs(rows.map((r) => ({ sinkId, chainKey: r.chain_key })));
  }

  /** Every active sink watching these chains (new checkpoints), in one query however many chains. */
  async chains(chainKeys: readonly string[]): Promise<void> {
    if (chainKeys.length === 0) return;
    const rows = await this.orm.em.fork().execute<{ sink_id: string; chain_key: string }[]>(
      `select c.sink_id, c.chain_key from audit_sink_cursors c join audit_sinks s on s.id = c.sink_id
        where c.chain_key = any(?::text[]) and s.state = 'active' and c.parked_seq is null`,
      [pgTextArray(chainKeys)],
    );
    await this.pairs(rows.map((r) => ({ sinkId: r.sink_id, chainKey: r.chain_key })));
  }

  /** Every active sink watching one chain (a commit appended to it). */
  async chain(chainKey: string): Promise<void> {
    // A new tenant's first event: the platform sinks get a cursor on its chain now, not at the next tick.
    await this.orm.em.fork().execute(
      `insert into audit_sink_cursors (sink_id, chain_key) select id, ? from audit_sinks where tenant_id is null
         on conflict do nothing`,
      [chainKey],
    );
    const rows = await this.orm.em.fork().execute<{ sink_id: string }[]>(
      `select c.sink_id from audit_sink_cursors c join audit_sinks s on s.id = c.sink_id
        where c.chain_key = ? and s.state = 'active' and c.parked_seq is null`,
      [chainKey],
    );
    await this.pairs(rows.map((r) => ({ sinkId: r.sink_id, chainKey })));
  }

  /** Chains that appeared since a platform sink was made (a new tenant's first event) get a cursor from their start. */
  async openNewChains(): Promise<void> {
    await this.orm.em.fork().execute(
      `insert into audit_sink_cursors (sink_id, chain_key)
       select s.id, h.chain_key from audit_sinks s cross join audit_chains h
        where s.tenant_id is null
       on conflict do nothing`,
    );
  }

  /**
   * The tick: cursors behind their chain's head whose retry is due and which nobody holds, oldest first.
   * Catches what a lost notification or a restart left behind, and runs the retries.
   */
  async due(now: Date, limit = 1000): Promise<number> {
    const rows = await this.orm.em.fork().execute<{ sink_id: string; chain_key: string }[]>(
      `select c.sink_id, c.chain_key from audit_sink_cursors c
         join audit_sinks s on s.id = c.sink_id and s.state = 'active'
         join audit_chains h on h.chain_key = c.chain_key
        where c.parked_seq is null
          and (h.last_seq > c.delivered_seq
               or exists (select 1 from audit_checkpoints k
                           where k.chain_key = c.chain_key and k.number > c.delivered_checkpoint))
          and (c.next_attempt_at is null or c.next_attempt_at <= ?)
          and (c.lease_until is null or c.lease_until < ?)
        order by c.next_attempt_at nulls first
        limit ?`,
      [now, now, limit],
    );
    await this.pairs(rows.map((r) => ({ sinkId: r.sink_id, chainKey: r.chain_key })));
    return rows.length;
  }
}
