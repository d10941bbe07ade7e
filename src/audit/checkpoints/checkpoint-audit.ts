import type { EntityManager } from '@mikro-orm/postgresql';
import { GENESIS_HASH } from '../audit-hash.js';
import type { PurgeHorizon } from '../retention/purge-horizon.js';
import type { AuditCheckpointView } from '../stream/stream-item.js';
import { AuditCheckpoint } from './audit-checkpoint.entity.js';
import { type ChainEnd, checkAgainstChain, givenFindings, heartbeatFinding } from './checkpoint-checks.js';
import type { CheckpointFinding } from './checkpoint-findings.js';
import { type CheckpointRules, signatureFinding, startCheckpointWalk, walkCheckpoints } from './checkpoint-walk.js';
import { listCheckpoints, tenantOfChain, toCheckpointView } from './checkpoint-reader.js';

export interface CheckpointAuditInput {
  chainKey: string;
  /** Where retention purged the chain: checkpoints start after the newest thinned one, events after its seq. */
  purged: PurgeHorizon | null;
  rules: CheckpointRules;
  now: Date;
  /** A checkpoint held outside (a SIEM's), checked against the chain and the stored ones. */
  given?: AuditCheckpointView | undefined;
  /** A tenant's chain starts with its creation: no events and no checkpoints means they were removed. */
  expectEvents: boolean;
  batchSize: number;
}

export interface CheckpointAudit {
  count: number;
  newest: AuditCheckpointView | null;
  findings: CheckpointFinding[];
}

/**
 * Every stored checkpoint of a chain (signature, numbering, links, cadence) and each against the events
 * it covers, then the time since the last one, then the given one; read in `em`, whose snapshot the
 * caller shares with its walk of the chain. Memory stays flat: checkpoints in keyset batches, and per
 * batch one lookup of the events they cover.
 */
export async function auditCheckpoints(em: EntityManager, input: CheckpointAuditInput): Promise<CheckpointAudit> {
  const { chainKey, rules, batchSize, purged } = input;
  const end = { ...(await chainEndOf(em, chainKey)), ...purgedEnd(purged) };
  const findings: CheckpointFinding[] = [];
  const thinned = purged?.checkpoint ?? null;
  if (thinned)
    findings.push(...checkOne(thinned, rules, end, (await hashesAt(em, chainKey, [thinned.seq])).get(thinned.seq)));
  let walk = startCheckpointWalk(thinned);
  for (;;) {
    const batch = await listCheckpoints(em, chainKey, { after: walk.last?.number ?? 0, limit: batchSize });
    const hashes = await hashesAt(
      em,
      chainKey,
      batch.map((c) => c.seq),
    );
    // One checkpoint at a time, so the findings come in number order.
    for (const c of batch) {
      const next = walkCheckpoints(walk, [c], rules);
      const against = checkAgainstChain(c, hashes.get(c.seq), end);
      findings.push(...next.findings, ...(against ? [against] : []));
      walk = next.walk;
    }
    if (batch.length < batchSize) break;
  }
  const heartbeat = heartbeatFinding(walk.last, end.newestEventAt, input.now, rules.maxGapMs);
  if (heartbeat) findings.push(heartbeat);
  if (input.expectEvents && end.lastSeq === 0 && walk.count === 0 && !input.given) {
    findings.push({
      problem: 'chain_emptied',
      checkpoint: null,
      detail:
        "the tenant's chain has no events and no checkpoints, yet it starts with the tenant's creation: they were removed",
    });
  }
  if (input.given) findings.push(...(await checkGiven(em, input.given, chainKey, end, rules, walk.last, thinned)));
  return { count: walk.count, newest: walk.last, findings };
}

async function checkGiven(
  em: EntityManager,
  given: AuditCheckpointView,
  chainKey: string,
  end: ChainEnd,
  rules: CheckpointRules,
  newest: AuditCheckpointView | null,
  thinned: AuditCheckpointView | null,
): Promise<CheckpointFinding[]> {
  const stored = await em.findOne(AuditCheckpoint, { chainKey, number: String(given.number) });
  const findings = givenFindings(
    given,
    tenantOfChain(chainKey),
    stored && toCheckpointView(stored),
    newest?.number ?? 0,
    thinned,
  );
  if (findings.some((f) => f.problem === 'checkpoint_other_chain')) return findings;
  return [...checkOne(given, rules, end, (await hashesAt(em, chainKey, [given.seq])).get(given.seq)), ...findings];
}

/** A checkpoint that is not in the stored walk (a SIEM's, or the newest thinned): its signature and its seq. */
function checkOne(
  c: AuditCheckpointView,
  rules: CheckpointRules,
  end: ChainEnd,
  eventHash: string | undefined,
): CheckpointFinding[] {
  const signature = signatureFinding(c, rules);
  const against = checkAgainstChain(c, eventHash, end);
  return [...(signature ? [signature] : []), ...(against ? [against] : [])];
}

const purgedEnd = (purged: PurgeHorizon | null) => ({
  purgedThroughSeq: purged?.throughSeq ?? 0,
  purgedThroughHash: purged?.throughHash ?? GENESIS_HASH,
});

async function chainEndOf(
  em: EntityManager,
  chainKey: string,
): Promise<Pick<ChainEnd, 'lastSeq'> & { newestEventAt: Date | null }> {
  const [last] = await em.execute<{ seq: string; at_ms: string }[]>(
    `select seq, (extract(epoch from occurred_at) * 1000)::bigint as at_ms
       from audit_events where chain_key = ? order by seq desc limit 1`,
    [chainKey],
  );
  return { lastSeq: last ? Number(last.seq) : 0, newestEventAt: last ? new Date(Number(last.at_ms)) : null };
}

/** The stored hash of the event at each of `seqs` (seq 0 has none). */
async function hashesAt(em: EntityManager, chainKey: string, seqs: readonly number[]): Promise<Map<number, string>> {
  const wanted = [...new Set(seqs.filter((s) => s > 0))];
  if (wanted.length === 0) return new Map();
  const rows = await em.execute<{ seq: string; hash: string }[]>(
    'select seq, hash from audit_events where chain_key = ? and seq = any(?::bigint[])',
    [chainKey, `{${wanted.join(',')}}`],
  );
  return new Map(rows.map((r) => [Number(r.seq), r.hash]));
}
