import { Query } from '@nestjs/cqrs';
import type { z } from 'zod';
import type { auditEventsPageSchema, auditEventViewSchema } from '../dto/audit-events-page.schema.js';

export type AuditEventView = z.infer<typeof auditEventViewSchema>;
export type AuditEventsPage = z.infer<typeof auditEventsPageSchema>;

export interface AuditEventFilter {
  /** Only events with a seq above this one. */
  after?: number | undefined;
  limit: number;
  action?: string | undefined;
  actorId?: string | undefined;
  actorType?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  /** occurredAt >= from */
  from?: Date | undefined;
  /** occurredAt < to */
  to?: Date | undefined;
}

/** One page of a chain's events in seq order: a tenant's chain for its admins and integrations. */
export class ListAuditEventsQuery extends Query<AuditEventsPage> {
  constructor(
    readonly chainKey: string,
    readonly filter: AuditEventFilter,
  ) {
    super();
  }
}
