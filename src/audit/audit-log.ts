import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Actor, RequestMeta } from '../common/actor.js';
import type { Tx } from '../common/cqrs/unit-of-work.js';
import { Clock } from '../common/clock.js';
import { AuditEvent, type Outcome } from './audit-event.entity.js';
import { auditHash, GENESIS_HASH } from './audit-hash.js';
import { asStored } from './stored-form.js';

export const PLATFORM_CHAIN = 'platform';

export interface AuditEntry {
  /** The tenant whose chain gets the entry; null for the platform chain. */
  tenantId: string | null;
  action: string;
  outcome: Outcome;
  actor: Actor;
  target?: { type: string; id: string } | null;
  request?: RequestMeta;
  /** Never codes, secrets, tokens or hashes: the log is streamed to other teams. */
  details?: Record<string, unknown>;
}

/** A past-tense domain event: its class names it (`static type`), and it knows its tenant. */
export interface AuditableEvent {
  readonly tenantId: string | null;
}

/**
 * Appends to a tenant's hash chain inside the caller's transaction, so the entry commits or rolls
 * back with the change it records (invariant 1). Append last in a handler: the chain head stays
 * locked until the transaction ends.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly clock: Clock) {}

  /**
   * Records a successful change: its audit entry in the transaction, its event published after the
   * commit. One call, so no event goes out without its entry and no entry is written without its event.
   */
  async record(
    tx: Tx,
    event: AuditableEvent,
    entry: Omit<AuditEntry, 'tenantId' | 'action' | 'outcome'>,
  ): Promise<AuditEvent> {
    const appended = await this.append(tx.em, {
      ...entry,
      tenantId: event.tenantId,
      action: actionOf(event),
      outcome: 'success',
    });
    tx.publish(event);
    return appended;
  }

  /**
   * Records several changes of one tenant at once (a group commit): one lock of the chain head, one
   * multi-row insert. Each entry is hashed exactly as `record` would, in the order given.
   */
  async recordMany(
    tx: Tx,
    tenantId: string,
    items: readonly { event: AuditableEvent; entry: Omit<AuditEntry, 'tenantId' | 'action' | 'outcome'> }[],
  ): Promise<AuditEvent[]> {
    if (items.length === 0) return [];
    const entries = items.map(({ event, entry }) => {
      if (event.tenantId !== tenantId) throw new Error('recordMany takes events of one tenant');
      return { ...entry, tenantId, action: actionOf(event), outcome: 'success' as const };
    });
    const appended = await this.appendAll(tx.em, tenantId, entries);
    for (const { event } of items) tx.publish(event);
    return appended;
  }

  async append(em: EntityManager, entry: AuditEntry): Promise<AuditEvent> {
    const [event] = await this.appendAll(em, entry.tenantId, [entry]);
    return event!;
  }

  private async appendAll(em: EntityManager, tenantId: string | null, entries: AuditEntry[]): Promise<AuditEvent[]> {
    const chainKey = tenantId ?? PLATFORM_CHAIN;
    // The upsert locks the head row: concurrent appends to one chain queue here, which is what
    // makes seq gap-free and the chain unforked.
    const [head] = await em.execute<{ last_seq: string; last_hash: string }[]>(
      `insert into audit_chains (chain_key, last_seq, last_hash) values (?, 0, ?)
       on conflict (chain_key) do update set chain_key = excluded.chain_key
       returning last_seq, last_hash`,
      [chainKey, GENESIS_HASH],
    );
    let seq = BigInt(head!.last_seq);
    let prevHash = head!.last_hash;
    const occurredAt = this.clock.now();
    // Hash what the row will hold, not what the caller passed: the verifier only ever sees the row.
    const events = entries.map(asStored).map((entry) => {
      seq += 1n;
      const event = Object.assign(new AuditEvent(), {
        id: randomUUID(),
        chainKey,
        seq: seq.toString(),
        tenantId: entry.tenantId,
        occurredAt,
        action: entry.action,
        outcome: entry.outcome,
        actorType: entry.actor.type,
        actorId: entry.actor.id,
        targetType: entry.target?.type ?? null,
        targetId: entry.target?.id ?? null,
        ip: entry.request?.ip ?? null,
        userAgent: entry.request?.userAgent ?? null,
        details: entry.details ?? {},
        prevHash,
      });
      event.hash = auditHash(event.prevHash, event);
      prevHash = event.hash;
      return event;
    });
    // The last insert moves the head in the same statement: one round trip less while the head is locked.
    for (let i = 0; i < events.length; i += INSERT_BATCH) {
      const chunk = events.slice(i, i + INSERT_BATCH);
      await insertEvents(em, chunk, i + INSERT_BATCH >= events.length ? chainKey : null);
    }
    return events;
  }
}

/** Rows per insert statement: 16 parameters each, well below PostgreSQL's 65,535. */
const INSERT_BATCH = 1000;

async function insertEvents(em: EntityManager, events: readonly AuditEvent[], headOf: string | null): Promise<void> {
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)';
  const insert = `insert into audit_events (id, chain_key, seq, tenant_id, occurred_at, action, outcome, actor_type,
       actor_id, target_type, target_id, ip, user_agent, details, prev_hash, hash)
     values ${events.map(() => row).join(', ')}`;
  const values = events.flatMap((event) => [
    event.id,
    event.chainKey,
    event.seq,
    event.tenantId,
    event.occurredAt,
    event.action,
    event.outcome,
    event.actorType,
    event.actorId,
    event.targetType,
    event.targetId,
    event.ip,
    event.userAgent,
    JSON.stringify(event.details),
    event.prevHash,
    event.hash,
  ]);
  if (headOf === null) {
    await em.execute(insert, values);
    return;
  }
  const last = events.at(-1)!;
  await em.execute(
    `with appended as (${insert}) update audit_chains set last_seq = ?, last_hash = ? where chain_key = ?`,
    [...values, last.seq, last.hash, headOf],
  );
}

function actionOf(event: AuditableEvent): string {
  const action = (event.constructor as { type?: unknown }).type;
  if (typeof action !== 'string') throw new Error(`${event.constructor.name} has no static type`);
  return action;
}
