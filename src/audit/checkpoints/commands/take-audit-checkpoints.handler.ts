import type { EntityManager } from '@mikro-orm/postgresql';
import { MikroORM } from '@mikro-orm/postgresql';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../../common/app-config.js';
import { Clock } from '../../../common/clock.js';
import { GENESIS_HASH } from '../../audit-hash.js';
import type { AuditCheckpointView } from '../../stream/stream-item.js';
import { cadenceMs, cadenceWindowStart } from '../cadence.js';
import { tenantOfChain } from '../checkpoint-reader.js';
import { CheckpointSigner } from '../checkpoint-signer.js';
import { AuditCheckpointsTakenEvent } from '../events/audit-checkpoints-taken.event.js';
import {
  type CheckpointScope,
  type TakenCheckpoints,
  TakeAuditCheckpointsCommand,
} from './take-audit-checkpoints.command.js';

/** Held by each checkpoint batch's transaction: numbering and `previous` come from the newest checkpoint. */
const CHECKPOINT_LOCK = 7_307_073;

/** A chain's committed head and its newest checkpoint, if any. */
interface HeadRow {
  chain_key: string;
  last_seq: string;
  last_hash: string;
  number: string | null;
  signature: string | null;
  /** Its time in epoch milliseconds (the driver gives timestamps as text). */
  time_ms: string | null;
}

const NEWEST_CHECKPOINT = `left join lateral (
    select k.number, k.signature, k.time from audit_checkpoints k where k.chain_key = c.chain_key
    order by k.number desc limit 1
  ) newest on true`;

const NEWEST_COLUMNS = `newest.number, newest.signature, (extract(epoch from newest.time) * 1000)::bigint as time_ms`;

const HEADS_AFTER = `select c.chain_key, c.last_seq, c.last_hash, ${NEWEST_COLUMNS}
  from audit_chains c ${NEWEST_CHECKPOINT}
  where c.chain_key > ? order by c.chain_key limit ?`;

// A chain with no head row yet (no event) is checkpointed at seq 0 on the genesis hash.
const HEAD_OF = `select c.chain_key, coalesce(h.last_seq, 0) as last_seq, coalesce(h.last_hash, ?) as last_hash,
    ${NEWEST_COLUMNS}
  from (values (?::text)) as c (chain_key) left join audit_chains h on h.chain_key = c.chain_key ${NEWEST_CHECKPOINT}`;

const INSERT = `insert into audit_checkpoints (chain_key, number, seq, head_hash, time, previous, key_id, signature)
  select chain_key, number, seq, head_hash, time, previous, key_id, signature
  from jsonb_to_recordset(?::jsonb) as r (chain_key text, number bigint, seq bigint, head_hash text,
    time timestamptz, previous text, key_id text, signature text)`;

/**
 * Keyset batches over `audit_chains` (10,000 tenants: ten batches of three statements), each in its own
 * transaction under one advisory lock, so two runs never number a chain's checkpoints twice and the
 * second run of a window finds the first one's checkpoints. Appends never wait for it: the heads are
 * read, not locked.
 */
@CommandHandler(TakeAuditCheckpointsCommand)
export class TakeAuditCheckpointsHandler implements ICommandHandler<TakeAuditCheckpointsCommand> {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly signer: CheckpointSigner,
    private readonly config: AppConfig,
    private readonly events: EventBus,
  ) {}

  async execute({ scope, batchSize }: TakeAuditCheckpointsCommand): Promise<TakenCheckpoints> {
    const interval = cadenceMs(this.config.env.AUDIT_CHECKPOINT_INTERVAL_MINUTES);
    const dueBefore = scope.kind === 'due' ? cadenceWindowStart(this.clock.now(), interval) : null;
    const result: TakenCheckpoints = { chains: 0, taken: 0, last: null };
    let after = '';
    for (;;) {
      const { heads, taken } = await this.orm.em
        .fork()
        .transactional((em) => this.takeBatch(em, scope, after, batchSize, dueBefore));
      result.chains += heads.length;
      result.taken += taken.length;
      if (taken.length > 0) {
        result.last = taken.at(-1)!.view;
        this.events.publish(
          new AuditCheckpointsTakenEvent(
            taken.map((t) => t.chainKey),
            result.last.time,
          ),
        );
      }
      if (scope.kind === 'chain' || heads.length < batchSize) return result;
      after = heads.at(-1)!.chain_key;
    }
  }

  private async takeBatch(
    em: EntityManager,
    scope: CheckpointScope,
    after: string,
    batchSize: number,
    dueBefore: Date | null,
  ): Promise<{ heads: HeadRow[]; taken: { chainKey: string; view: AuditCheckpointView }[] }> {
    await em.execute('select pg_advisory_xact_lock(?)', [CHECKPOINT_LOCK]);
    // Committed heads only: audit_append moves a head in the transaction that inserts its events, so
    // each (last_seq, last_hash) read here is one that a commit left, never half an append.
    const heads =
      scope.kind === 'chain'
        ? await em.execute<HeadRow[]>(HEAD_OF, [GENESIS_HASH, scope.chainKey])
        : await em.execute<HeadRow[]>(HEADS_AFTER, [after, batchSize]);
    const time = this.clock.now().toISOString();
    const taken = heads
      .filter((h) => dueBefore === null || h.time_ms === null || Number(h.time_ms) < dueBefore.getTime())
      .map((h) => this.signed(h, time));
    if (taken.length > 0) {
      await em.execute(INSERT, [JSON.stringify(taken.map(({ chainKey, view }) => row(chainKey, view)))]);
    }
    return { heads, taken };
  }

  private signed(head: HeadRow, time: string): { chainKey: string; view: AuditCheckpointView } {
    const view = this.signer.sign({
      number: Number(head.number ?? 0) + 1,
      tenantId: tenantOfChain(head.chain_key),
      seq: Number(head.last_seq),
      headHash: head.last_hash,
      time,
      previous: head.signature,
    });
    return { chainKey: head.chain_key, view };
  }
}

function row(chainKey: string, c: AuditCheckpointView) {
  return {
    chain_key: chainKey,
    number: c.number,
    seq: c.seq,
    head_hash: c.headHash,
    time: c.time,
    previous: c.previous,
    key_id: c.keyId,
    signature: c.signature,
  };
}
