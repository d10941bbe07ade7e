import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Actor, RequestMeta } from '../common/actor.js';
import type { Tx } from '../common/cqrs/unit-of-work.js';
import { Clock } from '../common/clock.js';
import { AuditEvent, type Outcome } from './audit-event.entity.js';
import { GENESIS_HASH, hashedTextAroundSeq } from './audit-hash.js';
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
 * back with the change it records (invariant 1). Entries recorded in a unit of work are appended just
 * before its commit, all of a chain in one statement: the chain's head is locked only for that
 * statement and the commit, however long the use case ran, and chains are always locked in one order.
 */
@Injectable()
export class AuditLog {
  /** Each open transaction's recorded entries, per chain, until its commit appends them. */
  private readonly pending = new WeakMap<Tx, Map<string, AuditEvent[]>>();

  constructor(private readonly clock: Clock) {}

  /**
   * Records a successful change: its audit entry in the transaction, its event published after the
   * commit. One call, so no event goes out without its entry and no entry is written without its event.
   * The entry's id is known at once; its `seq` and hashes once the transaction has appended it.
   */
  async record(
    tx: Tx,
    event: AuditableEvent,
    entry: Omit<AuditEntry, 'tenantId' | 'action' | 'outcome'>,
  ): Promise<AuditEvent> {
    const [recorded] = await this.recordMany(tx, event.tenantId, [{ event, entry }]);
    return recorded!;
  }

  /** Records several changes of one tenant (or of the platform), in the order given. */
  async recordMany(
    tx: Tx,
    tenantId: string | null,
    items: readonly { event: AuditableEvent; entry: Omit<AuditEntry, 'tenantId' | 'action' | 'outcome'> }[],
  ): Promise<AuditEvent[]> {
    const recorded = items.map(({ event, entry }) => {
      if (event.tenantId !== tenantId) throw new Error('recordMany takes events of one tenant');
      return this.eventOf({ ...entry, tenantId, action: actionOf(event), outcome: 'success' });
    });
    this.queue(tx, recorded);
    for (const { event } of items) tx.publish(event);
    return recorded;
  }

  /**
   * For a change that is a single statement (its own transaction): the entry's append as a function call
   * the owner's statement joins laterally to the rows it changed (`… cross join lateral <sql> a`, selecting
   * `a.seq, a.prev_hash, a.hash`), so the change and its entry commit together in one round trip. Call
   * `appended` with the row the statement returned, which publishes the event; no row, no change, no entry.
   */
  inStatement(
    event: AuditableEvent,
    entry: Omit<AuditEntry, 'tenantId' | 'action' | 'outcome'>,
  ): { sql: string; params: unknown[]; appended(row: ChainedRow, publish: (e: AuditableEvent) => void): AuditEvent } {
    const recorded = this.eventOf({ ...entry, tenantId: event.tenantId, action: actionOf(event), outcome: 'success' });
    return {
      sql: 'audit_append(?, ?, ?::jsonb)',
      params: [recorded.chainKey, GENESIS_HASH, JSON.stringify([appendedForm(recorded)])],
      appended: (row, publish) => {
        Object.assign(recorded, { seq: String(row.seq), prevHash: row.prev_hash, hash: row.hash });
        publish(event);
        return recorded;
      },
    };
  }

  /** Appends at once, in the caller's entity manager (a refusal's entry, outside any unit of work). */
  async append(em: EntityManager, entry: AuditEntry): Promise<AuditEvent> {
    const event = this.eventOf(entry);
    await appendToChain(em, event.chainKey, [event]);
    return event;
  }

  private queue(tx: Tx, events: readonly AuditEvent[]): void {
    let chains = this.pending.get(tx);
    if (!chains) {
      const queued = new Map<string, AuditEvent[]>();
      this.pending.set(tx, queued);
      tx.beforeCommit(async () => {
        for (const chainKey of [...queued.keys()].sort()) await appendToChain(tx.em, chainKey, queued.get(chainKey)!);
      });
      chains = queued;
    }
    for (const event of events) {
      const chain = chains.get(event.chainKey);
      if (chain) chain.push(event);
      else chains.set(event.chainKey, [event]);
    }
  }

  /** The entry as its row will hold it (what is hashed: the verifier only ever sees the row). */
  private eventOf(input: AuditEntry): AuditEvent {
    const entry = asStored(input);
    return Object.assign(new AuditEvent(), {
      id: randomUUID(),
      chainKey: entry.tenantId ?? PLATFORM_CHAIN,
      tenantId: entry.tenantId,
      occurredAt: this.clock.now(),
      action: entry.action,
      outcome: entry.outcome,
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      ip: entry.request?.ip ?? null,
      userAgent: entry.request?.userAgent ?? null,
      details: entry.details ?? {},
    });
  }
}

/**
 * One statement per batch: the function locks the head (concurrent appends to one chain queue there,
 * which keeps seq gap-free and the chain unforked until the transaction ends), then chains and inserts.
 */
/** What `audit_append` returns for each entry it chained. */
export interface ChainedRow {
  seq: string;
  prev_hash: string;
  hash: string;
}

async function appendToChain(em: EntityManager, chainKey: string, events: readonly AuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += APPEND_BATCH) {
    const chunk = events.slice(i, i + APPEND_BATCH);
    const chained = await em.execute<ChainedRow[]>('select seq, prev_hash, hash from audit_append(?, ?, ?::jsonb)', [
      chainKey,
      GENESIS_HASH,
      JSON.stringify(chunk.map(appendedForm)),
    ]);
    chunk.forEach((event, k) => {
      const row = chained[k]!;
      Object.assign(event, { seq: String(row.seq), prevHash: row.prev_hash, hash: row.hash });
    });
  }
}

/** Entries per `audit_append` call, so one huge group commit does not build one huge parameter. */
const APPEND_BATCH = 1000;

/** An entry as `audit_append` takes it: its columns, and its hashed text around the seq it will get. */
function appendedForm(event: AuditEvent) {
  return {
    id: event.id,
    tenantId: event.tenantId,
    occurredAt: event.occurredAt.toISOString(),
    action: event.action,
    outcome: event.outcome,
    actorType: event.actorType,
    actorId: event.actorId,
    targetType: event.targetType,
    targetId: event.targetId,
    ip: event.ip,
    userAgent: event.userAgent,
    details: event.details,
    ...hashedTextAroundSeq(event),
  };
}

function actionOf(event: AuditableEvent): string {
  const action = (event.constructor as { type?: unknown }).type;
  if (typeof action !== 'string') throw new Error(`${event.constructor.name} has no static type`);
  return action;
}
