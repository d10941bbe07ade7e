import { IsolationLevel } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { endWalk, isBroken, startWalk, walkChain, type ChainVerdict } from './audit-chain.js';
import { AuditChainHead, AuditEvent } from './audit-event.entity.js';
import { TenantScope } from '../common/tenant-scope.js';

const BATCH_SIZE = 1000;

/**
 * Checks one hash chain end to end (ARCHITECTURE invariant 2): any edited, deleted, inserted or
 * reordered event breaks it, and the verdict names the first broken seq.
 */
@Injectable()
export class AuditVerifier {
  constructor(private readonly orm: MikroORM) {}

  /** `chainKey` is a tenant id, or `platform` (PLATFORM_CHAIN). */
  verify(chainKey: string, batchSize = BATCH_SIZE): Promise<ChainVerdict> {
    // Every row of the chain, whatever tenant it claims: a row whose tenant_id was edited must show as
    // an edit, not vanish from the walk. (The platform chain's rows have no tenant at all.)
    return TenantScope.acrossTenants('a chain is read whole, by its key', () => this.walk(chainKey, batchSize));
  }

  private walk(chainKey: string, batchSize: number): Promise<ChainVerdict> {
    // One snapshot for the head and every batch: appends committed meanwhile are not half-seen,
    // so a busy chain verifies without false alarms.
    return this.orm.em.fork().transactional(
      async (em) => {
        const head = await em.findOne(AuditChainHead, { chainKey });
        let walk = startWalk();
        for (;;) {
          // Keyset batches, cleared as they go: memory stays flat however long the chain is.
          const batch = await em.find(
            AuditEvent,
            { chainKey, seq: { $gt: String(walk.lastSeq) } },
            { orderBy: { seq: 'asc' }, limit: batchSize },
          );
          em.clear();
          const next = walkChain(walk, batch);
          if (isBroken(next)) return next;
          walk = next;
          if (batch.length < batchSize) break;
        }
        return endWalk(walk, head && { lastSeq: Number(head.lastSeq), lastHash: head.lastHash });
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
  }
}
