import type { FilterQuery } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuditEvent } from '../audit-event.entity.js';
import { type AuditEventsPage, type AuditEventView, ListAuditEventsQuery } from './list-audit-events.query.js';

@QueryHandler(ListAuditEventsQuery)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEventsQuery> {
  constructor(private readonly orm: MikroORM) {}

  async execute({ chainKey, filter }: ListAuditEventsQuery): Promise<AuditEventsPage> {
    const where: FilterQuery<AuditEvent> = { chainKey };
    if (filter.after !== undefined) where.seq = { $gt: String(filter.after) };
    if (filter.action !== undefined) where.action = filter.action;
    if (filter.actorId !== undefined) where.actorId = filter.actorId;
    if (filter.from || filter.to) {
      where.occurredAt = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lt: filter.to }) };
    }
    // Keyset on seq, one row more than asked: tells whether a next page exists without counting.
    const rows = await this.orm.em.fork().find(AuditEvent, where, { orderBy: { seq: 'asc' }, limit: filter.limit + 1 });
    const events = rows.slice(0, filter.limit).map(toAuditEventView);
    return { events, nextCursor: rows.length > filter.limit ? events.at(-1)!.seq : null };
  }
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
