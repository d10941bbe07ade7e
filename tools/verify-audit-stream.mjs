#!/usr/bin/env node
// Checks a Stepguard audit stream as a SIEM received it, without Stepguard and without dependencies
// (Node.js 18 or later): every event's hash (docs/audit-hash.md), the links and seq continuity of each
// chain, every checkpoint's Ed25519 signature, the checkpoints' numbering, links and cadence, and that each
// checkpoint's headHash is the hash of the event at its seq. docs/audit-verification.md describes it.
//
//   node tools/verify-audit-stream.mjs --keys keys.json [--max-gap-minutes N] [stream.ndjson]
//
// The stream is NDJSON in Stepguard's native format, one item per line: an event view with
// "type": "audit_event", or a checkpoint view with "type": "audit_checkpoint"; standard input without a
// file. keys.json is what GET /.well-known/stepguard-audit-keys answers. Several chains may be mixed (a
// platform-wide sink); each is checked on its own. Deliveries are at least once: an item received twice
// with the same content is a duplicate, not a problem. Exit code: 0 no problem, 1 problems, 2 usage error.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const GENESIS_HASH = '0'.repeat(64);

/** RFC 8785 JSON Canonicalization Scheme for values parsed from JSON. */
function jcs(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  // Array#sort compares strings by UTF-16 code units, which is what JCS asks for.
  const members = Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${jcs(value[k])}`);
  return `{${members.join(',')}}`;
}

/** docs/audit-hash.md, recipe version 1. */
function eventHash(e) {
  const entry = {
    id: e.id,
    chainKey: e.tenantId ?? 'platform',
    seq: String(e.seq),
    tenantId: e.tenantId,
    occurredAt: e.occurredAt,
    action: e.action,
    outcome: e.outcome,
    actor: { type: e.actor?.type ?? null, id: e.actor?.id ?? null },
    target: { type: e.target?.type ?? null, id: e.target?.id ?? null },
    ip: e.ip,
    userAgent: e.userAgent,
    details: e.details,
  };
  return createHash('sha256')
    .update(e.prevHash + jcs(entry), 'utf8')
    .digest('hex');
}

/** What a checkpoint's signature covers: RFC 8785 JSON of { tenant, seq, headHash, time, previous }. */
function checkpointPayload(c) {
  return Buffer.from(
    jcs({ tenant: c.tenantId, seq: c.seq, headHash: c.headHash, time: c.time, previous: c.previous }),
    'utf8',
  );
}

function loadKeys(path) {
  const { keys } = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(keys))
    throw new Error(`${path}: no "keys" array (expected GET /.well-known/stepguard-audit-keys)`);
  return new Map(keys.map((k) => [k.keyId, createPublicKey({ key: k.publicKey, format: 'jwk' })]));
}

/** One chain's state as the stream goes by. */
function newChain(key) {
  return {
    key,
    firstSeq: null,
    lastSeq: null,
    lastHash: null,
    hashes: new Map(),
    events: 0,
    duplicates: 0,
    checkpoints: new Map(),
    lastCheckpoint: null,
    awaiting: [],
  };
}

class StreamVerifier {
  constructor(keys, maxGapMs) {
    this.keys = keys;
    this.maxGapMs = maxGapMs;
    this.chains = new Map();
    this.problems = [];
  }

  chainOf(item) {
    const key = item.tenantId ?? 'platform';
    if (!this.chains.has(key)) this.chains.set(key, newChain(key));
    return this.chains.get(key);
  }

  problem(chain, line, text) {
    this.problems.push(`PROBLEM chain ${chain.key}, line ${line}: ${text}`);
  }

  item(item, line) {
    if (item?.type === 'audit_event') this.event(item, line);
    else if (item?.type === 'audit_checkpoint') this.checkpoint(item, line);
    else this.problems.push(`PROBLEM line ${line}: neither an audit_event nor an audit_checkpoint`);
  }

  event(e, line) {
    const chain = this.chainOf(e);
    const seq = e.seq;
    const computed = eventHash(e);
    if (computed !== e.hash) {
      this.problem(chain, line, `the event at seq ${seq} does not hash to its hash: its content was changed`);
    }
    if (chain.lastSeq !== null && seq <= chain.lastSeq) {
      if (!chain.hashes.has(seq)) this.problem(chain, line, `seq ${seq} arrived after seq ${chain.lastSeq}`);
      else if (chain.hashes.get(seq) === e.hash) chain.duplicates++;
      else this.problem(chain, line, `seq ${seq} was received again with another hash`);
      return;
    }
    if (chain.lastSeq === null) {
      chain.firstSeq = seq;
      if (seq === 1 && e.prevHash !== GENESIS_HASH)
        this.problem(chain, line, 'seq 1 does not start from the genesis hash');
    } else if (seq !== chain.lastSeq + 1) {
      const first = chain.lastSeq + 1;
      this.problem(chain, line, `seq ${first === seq - 1 ? first : `${first}-${seq - 1}`} missing before seq ${seq}`);
    } else if (e.prevHash !== chain.lastHash) {
      this.problem(chain, line, `seq ${seq} does not link to the hash of seq ${chain.lastSeq}`);
    }
    chain.lastSeq = seq;
    chain.lastHash = e.hash;
    chain.hashes.set(seq, e.hash);
    chain.events++;
    for (const waiting of chain.awaiting.filter((c) => c.seq === seq)) this.covers(chain, waiting, waiting.line);
    chain.awaiting = chain.awaiting.filter((c) => c.seq !== seq);
  }

  checkpoint(c, line) {
    const chain = this.chainOf(c);
    const seen = chain.checkpoints.get(c.number);
    if (seen !== undefined) {
      if (seen !== c.signature) this.problem(chain, line, `checkpoint #${c.number} was received again, different`);
      else chain.duplicates++;
      return;
    }
    const key = this.keys.get(c.keyId);
    if (!key) this.problem(chain, line, `checkpoint #${c.number} is signed with an unknown key "${c.keyId}"`);
    else if (!safeVerify(checkpointPayload(c), key, c.signature)) {
      this.problem(chain, line, `the signature of checkpoint #${c.number} does not verify: forged or altered`);
    }
    const last = chain.lastCheckpoint;
    if (!last && c.number === 1 && c.previous !== null) {
      this.problem(chain, line, 'checkpoint #1 names a previous checkpoint');
    } else if (last && c.number !== last.number + 1) {
      this.problem(chain, line, `checkpoint #${c.number} follows #${last.number}: heartbeats are missing`);
    } else if (last && c.previous !== last.signature) {
      this.problem(chain, line, `checkpoint #${c.number} does not link to the signature of #${last.number}`);
    }
    if (last && c.seq < last.seq) {
      this.problem(chain, line, `checkpoint #${c.number} covers seq ${c.seq}, below #${last.number}'s ${last.seq}`);
    }
    if (last && this.maxGapMs !== undefined && Date.parse(c.time) - Date.parse(last.time) > this.maxGapMs) {
      this.problem(chain, line, `no checkpoint between #${last.number} (${last.time}) and #${c.number} (${c.time})`);
    }
    chain.checkpoints.set(c.number, c.signature);
    chain.lastCheckpoint = c;
    if (c.seq === 0 || chain.hashes.has(c.seq)) this.covers(chain, c, line);
    else if (chain.lastSeq === null || c.seq > chain.lastSeq) chain.awaiting.push({ ...c, line });
    // Below the first event received (a stream started mid-chain): nothing to compare with.
  }

  /** A checkpoint against the event at its seq. */
  covers(chain, c, line) {
    const hash = c.seq === 0 ? GENESIS_HASH : chain.hashes.get(c.seq);
    if (hash !== c.headHash) {
      this.problem(chain, line, `checkpoint #${c.number} signed another hash for seq ${c.seq} than the event received`);
    }
  }

  finish() {
    const summary = [];
    for (const chain of this.chains.values()) {
      for (const c of chain.awaiting) {
        const end = chain.lastSeq === null ? 'no event arrived' : `the events end at seq ${chain.lastSeq}`;
        this.problem(chain, c.line, `checkpoint #${c.number} covers seq ${c.seq}, but ${end}: events are missing`);
      }
      const events = chain.events ? `events seq ${chain.firstSeq}-${chain.lastSeq} (${chain.events})` : 'no events';
      const last = chain.lastCheckpoint;
      const checkpoints = last ? `${chain.checkpoints.size} checkpoints up to #${last.number}` : 'no checkpoint';
      const duplicates = chain.duplicates ? `, ${chain.duplicates} duplicates ignored` : '';
      summary.push(`chain ${chain.key}: ${events}, ${checkpoints}${duplicates}`);
    }
    return summary;
  }
}

function safeVerify(payload, key, signature) {
  try {
    return verify(null, payload, key, Buffer.from(String(signature), 'base64url'));
  } catch {
    return false;
  }
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: { keys: { type: 'string' }, 'max-gap-minutes': { type: 'string' } },
      allowPositionals: true,
    });
    if (!args.values.keys || args.positionals.length > 1) throw new Error('--keys FILE is required');
  } catch (error) {
    process.stderr.write(
      `${error.message}\nusage: verify-audit-stream.mjs --keys keys.json [--max-gap-minutes N] [stream.ndjson]\n`,
    );
    return 2;
  }
  const gap = args.values['max-gap-minutes'];
  const verifier = new StreamVerifier(loadKeys(args.values.keys), gap === undefined ? undefined : Number(gap) * 60_000);
  const input = args.positionals[0] ? createReadStream(args.positionals[0]) : process.stdin;
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let item;
    try {
      item = JSON.parse(text);
    } catch {
      verifier.problems.push(`PROBLEM line ${line}: not JSON`);
      continue;
    }
    verifier.item(item, line);
  }
  const summary = verifier.finish();
  for (const problem of verifier.problems) process.stdout.write(`${problem}\n`);
  for (const s of summary) process.stdout.write(`${verifier.problems.length ? '' : 'OK '}${s}\n`);
  return verifier.problems.length ? 1 : 0;
}

process.exitCode = await main();
