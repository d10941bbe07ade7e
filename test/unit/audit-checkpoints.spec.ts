import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { GENESIS_HASH } from '../../src/audit/audit-hash.js';
import { checkAgainstChain, givenFindings, heartbeatFinding } from '../../src/audit/checkpoints/checkpoint-checks.js';
import { startCheckpointWalk, walkCheckpoints } from '../../src/audit/checkpoints/checkpoint-walk.js';
import { checkSignature } from '../../src/audit/checkpoints/checkpoint-signature.js';
import { CheckpointSigner } from '../../src/audit/checkpoints/checkpoint-signer.js';
import type { AuditCheckpointView } from '../../src/audit/index.js';
import { AppConfig } from '../../src/common/app-config.js';
import { loadEnv } from '../../config/index.js';

const TENANT = '5f0c6a57-6c3e-4c1e-9a51-0d7f1b2a3c4d';
const MINUTE = 60_000;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const hashOf = (seq: number) => String(seq % 10).repeat(64);
/** The chain's end as the checks see it: its last seq, and how far retention purged it. */
const end = (lastSeq: number, purgedThroughSeq = 0) => ({
  lastSeq,
  purgedThroughSeq,
  purgedThroughHash: purgedThroughSeq === 0 ? GENESIS_HASH : hashOf(purgedThroughSeq),
});

function signerWith(keys: string): CheckpointSigner {
  const env = loadEnv({ STEPGUARD_AUDIT_SIGNING_KEY: keys });
  return new CheckpointSigner(
    new AppConfig(env, 'postgresql://x/y', { kind: 'url', url: 'redis://x' }, [], env.STEPGUARD_AUDIT_SIGNING_KEY!),
  );
}

const seed = () => randomBytes(32).toString('base64');
const signer = signerWith(`k1:${seed()}`);
const rules = { keys: signer.verifyingKeys, maxGapMs: 10 * MINUTE };

/** A chain of checkpoints signed like the real ones: `seqs[i]` covered at T0 + minutes[i]. */
function chainOf(seqs: number[], minutes = seqs.map((_, i) => i * 5), by = signer): AuditCheckpointView[] {
  const out: AuditCheckpointView[] = [];
  seqs.forEach((seq, i) => {
    out.push(
      by.sign({
        number: i + 1,
        tenantId: TENANT,
        seq,
        headHash: seq === 0 ? GENESIS_HASH : hashOf(seq),
        time: new Date(T0 + minutes[i]! * MINUTE).toISOString(),
        previous: out[i - 1]?.signature ?? null,
      }),
    );
  });
  return out;
}

const problemsOf = (checkpoints: AuditCheckpointView[]) =>
  walkCheckpoints(startCheckpointWalk(), checkpoints, rules).findings.map((f) => f.problem);

describe('checkpoint signatures', () => {
  it('verify, and fail on any change to what was signed', () => {
    const [c] = chainOf([3]);
    expect(checkSignature(c!, signer.verifyingKeys)).toBe('valid');
    for (const changed of [
      { seq: 4 },
      { headHash: hashOf(4) },
      { time: '2030-01-01T00:00:00.001Z' },
      { previous: 'AAAA' },
      { tenantId: null },
    ]) {
      expect(checkSignature({ ...c!, ...changed }, signer.verifyingKeys)).toBe('invalid');
    }
    expect(checkSignature({ ...c!, signature: 'not-a-signature' }, signer.verifyingKeys)).toBe('invalid');
    expect(checkSignature({ ...c!, keyId: 'k9' }, signer.verifyingKeys)).toBe('unknown_key');
  });

  it('are made by the last key, and a rotation keeps the older checkpoints verifiable', () => {
    const [oldSeed, newSeed] = [seed(), seed()];
    const before = signerWith(`old:${oldSeed}`);
    const after = signerWith(`old:${oldSeed},new:${newSeed}`);
    const [signedBefore] = chainOf([1], [0], before);
    const [signedAfter] = chainOf([2], [0], after);
    expect([signedBefore!.keyId, signedAfter!.keyId]).toEqual(['old', 'new']);
    expect(checkSignature(signedBefore!, after.verifyingKeys)).toBe('valid');
    expect(checkSignature(signedAfter!, after.verifyingKeys)).toBe('valid');
    expect(after.published().map((k) => k.keyId)).toEqual(['old', 'new']);
    expect(after.published()[0]!.publicKey).toEqual(before.published()[0]!.publicKey);
  });

  it('accept a PKCS #8 key as well as a seed, and refuse other algorithms', () => {
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), randomBytes(32)]);
    expect(() => signerWith(`p:${pkcs8.toString('base64')}`)).not.toThrow();
    const x25519 = generateKeyPairSync('x25519').privateKey.export({ format: 'der', type: 'pkcs8' });
    for (const bad of [x25519, randomBytes(48), randomBytes(31)]) {
      expect(() => loadEnv({ STEPGUARD_AUDIT_SIGNING_KEY: `p:${bad.toString('base64')}` })).toThrow(
        /^STEPGUARD_AUDIT_SIGNING_KEY: must be a list of id:base64 pairs, each an Ed25519 key/,
      );
    }
  });
});

describe('walking stored checkpoints', () => {
  it('passes a chain numbered without gaps, linked, on cadence and never going back', () => {
    expect(problemsOf(chainOf([5, 5, 9, 12]))).toEqual([]);
  });

  it('names deleted checkpoints: a gap in the numbers, or a first one missing', () => {
    const [a, , c, d] = chainOf([1, 2, 3, 4]);
    const { findings } = walkCheckpoints(startCheckpointWalk(), [a!, d!], { ...rules, maxGapMs: Infinity });
    expect(findings).toEqual([
      {
        problem: 'checkpoint_number_gap',
        checkpoint: 4,
        detail: 'checkpoints #2-#3 are missing (deleted): the next stored one is #4',
      },
    ]);
    expect(problemsOf([c!, d!])).toEqual(['checkpoint_number_gap']);
  });

  it('names a checkpoint that does not link to the one before', () => {
    const [a, b] = chainOf([1, 2]);
    const relinked = signer.sign({ ...b!, previous: null });
    expect(problemsOf([a!, relinked])).toEqual(['checkpoint_link_broken']);
    const firstWithPrevious = signer.sign({ ...a!, previous: b!.signature });
    expect(problemsOf([firstWithPrevious])).toEqual(['checkpoint_link_broken']);
  });

  it('names a forged checkpoint and one signed by an unknown key', () => {
    const [a, b] = chainOf([1, 2]);
    expect(problemsOf([a!, { ...b!, seq: 7 }])).toEqual(['checkpoint_signature_invalid']);
    const stranger = chainOf([1], [0], signerWith(`k2:${seed()}`));
    expect(problemsOf(stranger)).toEqual(['checkpoint_key_unknown']);
  });

  it('names a gap in time beyond the cadence, and a seq that went back', () => {
    expect(problemsOf(chainOf([1, 2, 3], [0, 5, 16]))).toEqual(['heartbeat_missing']);
    expect(problemsOf(chainOf([1, 2, 3], [0, 5, 15]))).toEqual([]);
    expect(problemsOf(chainOf([1, 9, 4]))).toEqual(['checkpoint_seq_went_back']);
  });

  it('carries its state from one batch to the next', () => {
    const all = chainOf([1, 2, 3, 4, 5]);
    const first = walkCheckpoints(startCheckpointWalk(), all.slice(0, 2), rules);
    const second = walkCheckpoints(first.walk, all.slice(2), rules);
    expect([...first.findings, ...second.findings]).toEqual([]);
    expect(second.walk).toEqual({ count: 5, last: all[4] });
  });

  it('starts after the newest checkpoint retention thinned: its number, link and time', () => {
    const all = chainOf([1, 2, 3, 4], [0, 5, 10, 25]);
    expect(walkCheckpoints(startCheckpointWalk(all[1]!), all.slice(2, 3), rules).findings).toEqual([]);
    const problemsAfter = (thinned: AuditCheckpointView, next: AuditCheckpointView[]) =>
      walkCheckpoints(startCheckpointWalk(thinned), next, rules).findings.map((f) => f.problem);
    expect(problemsAfter(all[0]!, all.slice(2, 3))).toEqual(['checkpoint_number_gap']);
    expect(problemsAfter({ ...all[1]!, signature: all[0]!.signature }, all.slice(2, 3))).toEqual([
      'checkpoint_link_broken',
    ]);
    expect(problemsAfter(all[2]!, all.slice(3))).toEqual(['heartbeat_missing']);
  });
});

describe('a checkpoint against the chain', () => {
  const [c] = chainOf([7]);

  it('holds while the event at its seq has the hash it signed', () => {
    expect(checkAgainstChain(c!, hashOf(7), end(7))).toBeNull();
    expect(checkAgainstChain(c!, hashOf(7), end(20))).toBeNull();
    expect(checkAgainstChain(chainOf([0])[0]!, undefined, end(0))).toBeNull();
  });

  it('names rows deleted after it, an emptied chain, a missing event and a rewritten one', () => {
    expect(checkAgainstChain(c!, undefined, end(5))?.problem).toBe('checkpoint_past_chain_end');
    expect(checkAgainstChain(c!, undefined, end(0))?.problem).toBe('chain_emptied');
    expect(checkAgainstChain(c!, undefined, end(9))?.problem).toBe('checkpoint_event_missing');
    expect(checkAgainstChain(c!, hashOf(8), end(9))?.problem).toBe('checkpoint_hash_mismatch');
  });

  it('passes over an event purged by retention, and checks the last one purged against its recorded hash', () => {
    expect(checkAgainstChain(c!, undefined, end(20, 9))).toBeNull();
    expect(checkAgainstChain(c!, undefined, end(20, 7))).toBeNull();
    const rewritten = { ...end(20, 7), purgedThroughHash: hashOf(8) };
    expect(checkAgainstChain(c!, undefined, rewritten)?.problem).toBe('checkpoint_hash_mismatch');
    expect(checkAgainstChain(c!, undefined, end(20, 6))?.problem).toBe('checkpoint_event_missing');
  });
});

describe('the heartbeat', () => {
  const [c] = chainOf([3]);
  const at = (minutes: number) => new Date(T0 + minutes * MINUTE);

  it('passes while the newest checkpoint is within the cadence', () => {
    expect(heartbeatFinding(c!, at(0), at(10), 10 * MINUTE)).toBeNull();
    expect(heartbeatFinding(c!, at(0), at(11), 10 * MINUTE)?.detail).toMatch(
      /^no checkpoint since #1 .*, 11 minutes ago/,
    );
  });

  it('with no checkpoint at all, passes a chain younger than the cadence only', () => {
    expect(heartbeatFinding(null, null, at(100), 10 * MINUTE)).toBeNull();
    expect(heartbeatFinding(null, at(95), at(100), 10 * MINUTE)).toBeNull();
    expect(heartbeatFinding(null, at(80), at(100), 10 * MINUTE)?.problem).toBe('heartbeat_missing');
  });
});

describe('a checkpoint held outside', () => {
  const [a, b] = chainOf([1, 2]);

  it('must be stored as given', () => {
    expect(givenFindings(b!, TENANT, b!, 2)).toEqual([]);
    expect(givenFindings(b!, TENANT, null, 1).map((f) => f.detail)).toEqual([
      'the given checkpoint #2 is not stored: the newest stored is #1: newer checkpoints were deleted',
    ]);
    expect(givenFindings(b!, TENANT, { ...b!, signature: a!.signature }, 2)[0]?.problem).toBe('checkpoint_replaced');
    expect(givenFindings(b!, null, b!, 2)[0]?.problem).toBe('checkpoint_other_chain');
  });

  it('may have been thinned by retention: only the newest thinned one is kept, and must match', () => {
    const [first, second, third] = chainOf([1, 2, 3]);
    expect(givenFindings(first!, TENANT, null, 3, second!)).toEqual([]);
    expect(givenFindings(second!, TENANT, null, 3, second!)).toEqual([]);
    expect(givenFindings(second!, TENANT, null, 3, { ...second!, signature: first!.signature })[0]?.problem).toBe(
      'checkpoint_replaced',
    );
    expect(givenFindings(third!, TENANT, null, 2, second!)[0]?.problem).toBe('checkpoint_missing');
  });
});
