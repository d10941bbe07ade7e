import type { FilterQuery } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuditEvent } from '../audit-event.entity.js';
import {
  type AuditEventFilter,
  type AuditEventsPage,
  type AuditEventView,
  ListAuditEventsQuery,
} from './list-audit-events.query.js';

@QueryHandler(ListAuditEventsQuery)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEventsQuery> {
  constructor(private readonly orm: MikroORM) {}

  async execute({ chainKey, filter }: ListAuditEventsQuery): Promise<AuditEventsPage> {
    // Keyset on seq, one row more than asked: tells whether a next page exists without counting.
    const rows = await this.orm.em
      .fork()
      .find(AuditEvent, auditEventsWhere(chainKey, filter), { orderBy: { seq: 'asc' }, limit: filter.limit + 1 });
    const events = rows.slice(0, filter.limit).map(toAuditEventView);
    return { events, nextCursor: rows.length > filter.limit ? events.at(-1)!.seq : null };
  }
}

/**
 * The events of one chain a filter selects. Keyset on seq never skips or re-reads: a chain's seqs are
 * assigned under its head's lock and committed in that order, so no event can appear later below a cursor.
 */
export function auditEventsWhere(chainKey: string, filter: AuditEventFilter): FilterQuery<AuditEvent> {
  const where: FilterQuery<AuditEvent> = { chainKey };
  if (filter.after !== undefined) where.seq = { $gt: String(filter.after) };
  if (filter.action !== undefined) where.action = filter.action;
  if (filter.actorId !== undefined) where.actorId = filter.actorId;
  if (filter.actorType !== undefined) where.actorType = filter.actorType as AuditEvent['actorType'];
  if (filter.targetType !== undefined) where.targetType = filter.targetType;
  if (filter.targetId !== undefined) where.targetId = filter.targetId;
  if (filter.from || filter.to) {
    where.occurredAt = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lt: filter.to }) };
  }
  return where;
}

export function toAuditEventView(e: AuditEvent): AuditEventView {
  return {
    seq: Number(e.seq),
    id: e.id,
    tenantId: e.tenantId,
    occurredAt: e.occurredAt.toISOString(),
    action: e.action,
    outcome: e.outcome,
    actor: { type: e.actorType, id: e.actorId },
    target: e.targetType === null ? null : { type: e.targetType, id: e.targetId },
    ip: e.ip,
    userAgent: e.userAgent,
    details: e.details,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
