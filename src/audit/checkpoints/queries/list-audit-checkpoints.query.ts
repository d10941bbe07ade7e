import { Query } from '@nestjs/cqrs';
import type { z } from 'zod';
import type { auditCheckpointsPageSchema } from '../dto/audit-checkpoints.schema.js';

export type AuditCheckpointsPage = z.infer<typeof auditCheckpointsPageSchema>;

/** One page of a chain's signed checkpoints in number order. */
export class ListAuditCheckpointsQuery extends Query<AuditCheckpointsPage> {
  constructor(
    readonly chainKey: string,
    readonly after: number | undefined,
    readonly limit: number,
  ) {
    super();
  }
}
