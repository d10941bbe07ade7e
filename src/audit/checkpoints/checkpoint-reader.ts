import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { PLATFORM_CHAIN } from '../audit-log.js';
import type { AuditCheckpointView } from '../stream/stream-item.js';
import { AuditCheckpoint } from './audit-checkpoint.entity.js';

export interface CheckpointRange {
  /** Only checkpoints numbered above this one (0: from the first). */
  after?: number;
  /**
   * Stop before the first checkpoint covering a seq above this one: a sink that has delivered the events
   * up to `upToSeq` sends the checkpoints that follow them, in number order, and no later one.
   */
  upToSeq?: number;
  limit: number;
}

/** A chain's signed checkpoints in number order, as served and streamed. */
@Injectable()
export class AuditCheckpointReader {
  constructor(private readonly orm: MikroORM) {}

  list(chainKey: string, range: CheckpointRange): Promise<AuditCheckpointView[]> {
    return listCheckpoints(this.orm.em.fork(), chainKey, range);
  }
}

/** `list` inside a given entity manager (the verifier reads in its own snapshot). */
export async function listCheckpoints(
  em: EntityManager,
  chainKey: string,
  { after = 0, upToSeq, limit }: CheckpointRange,
): Promise<AuditCheckpointView[]> {
  const rows = await em.find(
    AuditCheckpoint,
    { chainKey, number: { $gt: String(after) } },
    { orderBy: { number: 'asc' }, limit },
  );
  em.clear();
  const views = rows.map(toCheckpointView);
  if (upToSeq === undefined) return views;
  const beyond = views.findIndex((c) => c.seq > upToSeq);
  return beyond === -1 ? views : views.slice(0, beyond);
}

export function toCheckpointView(c: AuditCheckpoint): AuditCheckpointView {
  return {
    number: Number(c.number),
    tenantId: tenantOfChain(c.chainKey),
    seq: Number(c.seq),
    headHash: c.headHash,
    time: c.time.toISOString(),
    previous: c.previous,
    keyId: c.keyId,
    signature: c.signature,
  };
}

/** A chain's tenant as checkpoints name it: null for the platform chain. */
export const tenantOfChain = (chainKey: string): string | null => (chainKey === PLATFORM_CHAIN ? null : chainKey);
