import { Injectable } from '@nestjs/common';
import { type AuditLogReport, AuditVerifier, cadenceMs, type PurgeHorizon } from '../../audit/index.js';
import { AppConfig } from '../../common/app-config.js';
import { Clock } from '../../common/clock.js';

const CHAIN_PROBLEMS: Record<string, string> = {
  seq_gap: 'Events are missing from the log',
  seq_out_of_order: 'Events are out of order',
  prev_hash_mismatch: 'An event no longer links to the one before it',
  hash_mismatch: 'An event was changed after it was recorded',
  head_mismatch: 'The log does not end where it was recorded to end',
  purge_unrecorded: 'Events were deleted outside the retention purge',
};

const CHECKPOINT_PROBLEMS: Record<string, string> = {
  checkpoint_signature_invalid: 'A signed checkpoint does not verify',
  checkpoint_key_unknown: 'A checkpoint is signed with an unknown key',
  checkpoint_link_broken: 'The checkpoints no longer link up',
  checkpoint_number_gap: 'Checkpoints are missing',
  heartbeat_missing: 'A checkpoint is overdue',
  checkpoint_seq_went_back: 'The log was cut between two checkpoints',
  checkpoint_past_chain_end: 'Events after a checkpoint were deleted',
  checkpoint_event_missing: 'An event a checkpoint covers is missing',
  checkpoint_hash_mismatch: 'The log was rewritten under a checkpoint',
  chain_emptied: 'The log was emptied',
};

/**
 * The check `stepguard audit verify --tenant` runs, for the tenant's admins: the hash chain end to end, then
 * its signed checkpoints and their cadence, in words. It reads the whole chain, so it runs on request.
 */
@Injectable()
export class AuditVerification {
  constructor(
    private readonly verifier: AuditVerifier,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async run(tenantId: string) {
    // The CLI's default tolerance: a gap of up to two intervals passes, one late run is not a missing heartbeat.
    const interval = this.config.env.AUDIT_CHECKPOINT_INTERVAL_MINUTES;
    const report = await this.verifier.verifyWithCheckpoints(tenantId, {
      maxGapMs: cadenceMs(2 * interval),
      expectEvents: true,
    });
    return { checkedAt: this.clock.now().toISOString(), ...described(report) };
  }
}

function described({ ok, chain, purged, checkpoints, findings, omitted }: AuditLogReport) {
  const newest = checkpoints.newest;
  return {
    ok,
    chain: chain.ok
      ? { ok: true, checked: chain.checked, lastSeq: chain.lastSeq, brokenAt: null, problem: null, detail: null }
      : {
          ok: false,
          checked: chain.checked,
          lastSeq: null,
          brokenAt: chain.brokenAt,
          problem: CHAIN_PROBLEMS[chain.problem] ?? chain.problem,
          detail: chain.detail,
        },
    purged: purged ? purgedWords(purged) : null,
    checkpoints: {
      count: checkpoints.count,
      newest: newest ? { number: newest.number, seq: newest.seq, time: newest.time } : null,
    },
    findings: findings.map((f) => ({ problem: CHECKPOINT_PROBLEMS[f.problem] ?? f.problem, detail: f.detail })),
    omitted,
  };
}

function purgedWords(p: PurgeHorizon): string {
  return `Events 1 to ${p.throughSeq} were removed by the retention purge (the last on ${p.purgedAt.toISOString().slice(0, 10)}); the check starts after them.`;
}
