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
    const occurredAt = this.clock.now();
    // Hash what the row will hold, not what the caller passed: the verifier only ever sees the row.
    const events = entries.map(asStored).map((entry) =>
      Object.assign(new AuditEvent(), {
        id: randomUUID(),
        chainKey,
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
      }),
    );
    // One statement: the function locks the head (concurrent appends to one chain queue there, which
    // keeps seq gap-free and the chain unforked until the transaction ends), then chains and inserts.
    for (let i = 0; i < events.length; i += APPEND_BATCH) {
      const chunk = events.slice(i, i + APPEND_BATCH);
      const chained = await em.execute<{ seq: string; prev_hash: string; hash: string }[]>(
        'select seq, prev_hash, hash from audit_append(?, ?, ?::jsonb)',
        [chainKey, GENESIS_HASH, JSON.stringify(chunk.map(appendedForm))],
      );
      chunk.forEach((event, k) => {
        const row = chained[k]!;
        Object.assign(event, { seq: String(row.seq), prevHash: row.prev_hash, hash: row.hash });
      });
    }
    return events;
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
