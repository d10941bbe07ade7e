import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuditCheckpointReader } from '../checkpoint-reader.js';
import { type AuditCheckpointsPage, ListAuditCheckpointsQuery } from './list-audit-checkpoints.query.js';

@QueryHandler(ListAuditCheckpointsQuery)
export class ListAuditCheckpointsHandler implements IQueryHandler<ListAuditCheckpointsQuery> {
  constructor(private readonly reader: AuditCheckpointReader) {}

  async execute({ chainKey, after, limit }: ListAuditCheckpointsQuery): Promise<AuditCheckpointsPage> {
    // One row more than asked: tells whether a next page exists without counting.
    const rows = await this.reader.list(chainKey, { after, limit: limit + 1 });
    const checkpoints = rows.slice(0, limit);
    return { checkpoints, nextCursor: rows.length > limit ? checkpoints.at(-1)!.number : null };
  }
}
