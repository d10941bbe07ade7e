import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { AuditLog, PLATFORM_CHAIN } from '../../src/audit/audit-log.js';
import { AuditVerifier } from '../../src/audit/audit-verifier.js';
import { UnitOfWork } from '../../src/common/cqrs/unit-of-work.js';
import { cli } from '../support/cli.js';
import { legacyCanonicalJson } from '../support/legacy-canonical-json.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** What the AuditLog of commit 6c3cbec held in memory for an entry, before inserting it. */
interface LegacyEntry {
  occurredAt: Date;
  action: string;
  outcome: 'success' | 'failure';
  actor: { type: string; id: string | null };
  target: { type: string; id: string } | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

/** Entries with what makes canonical forms differ: non-ASCII names and text, number formats, nulls. */
const LEGACY_ENTRIES: LegacyEntry[] = [
  {
    occurredAt: new Date('2029-12-31T23:59:59.999Z'),
    action: 'LoginFailed',
    outcome: 'failure',
    actor: { type: 'anonymous', id: null },
    target: null,
    ip: '2001:db8::1',
    userAgent: 'Mozilla/5.0 (Ünïcødé; 😂)',
    details: { reason: 'unknown_tenant', tenant: 'Ⅻ-tenant', email: 'zoë@example.com' },
  },
  {
    occurredAt: new Date('2030-01-01T00:00:00.000Z'),
    action: 'SomethingOdd',
    outcome: 'success',
    actor: { type: 'operator', id: 'cli' },
    target: { type: 'tenant', id: randomUUID() },
    ip: null,
    userAgent: null,
    details: {
      '\ufb33': 'after the emoji in UTF-16 order',
      '\ud83d\ude02': 'before U+FB33',
      '€': ['\u2028', '\u0001\u001f\u007f', '"\\/'],
      numbers: [1.0, 1e21, 1e-7, 0.1 + 0.2, 5e-324, -0, 2 ** 53 + 2],
      nested: { z: null, a: [], m: {} },
      flag: false,
    },
  },
  {
    occurredAt: new Date('2030-01-01T00:00:00.001Z'),
    action: 'SomethingPlain',
    outcome: 'success',
    actor: { type: 'system', id: null },
    target: { type: 'user', id: randomUUID() },
    ip: '203.0.113.7',
    userAgent: 'jest',
    details: {},
  },
];

describe('an audit chain begun before the canonical form was RFC 8785', () => {
  let t: TestApp;
  let legacySeqs: number[];
  let newSeqs: number[];

  /** What a database superuser could do: the append-only trigger stops everyone else. */
  async function tamper(sql: string, params: unknown[]): Promise<void> {
    await t.sql('alter table audit_events disable trigger audit_events_append_only');
    try {
      await t.sql(sql, params);
    } finally {
      await t.sql('alter table audit_events enable trigger audit_events_append_only');
    }
  }

  /** Appends the entries as the old AuditLog did: hashed in memory with the old form, details as JSON text. */
  async function appendLegacy(entries: LegacyEntry[]): Promise<number[]> {
    const [head] = await t.sql('select last_seq, last_hash from audit_chains where chain_key = $1', [PLATFORM_CHAIN]);
    let seq = Number(head?.last_seq ?? 0);
    let prevHash: string = head?.last_hash ?? '0'.repeat(64);
    const seqs: number[] = [];
    for (const entry of entries) {
      seq += 1;
      const id = randomUUID();
      const hashed = {
        id,
        chainKey: PLATFORM_CHAIN,
        seq: String(seq),
        tenantId: null,
        occurredAt: entry.occurredAt.toISOString(),
        action: entry.action,
        outcome: entry.outcome,
        actor: entry.actor,
        target: { type: entry.target?.type ?? null, id: entry.target?.id ?? null },
        ip: entry.ip,
        userAgent: entry.userAgent,
        details: entry.details,
      };
      const hash = createHash('sha256')
        .update(prevHash + legacyCanonicalJson(hashed), 'utf8')
        .digest('hex');
      await t.sql(
        `insert into audit_events (id, chain_key, seq, tenant_id, occurred_at, action, outcome, actor_type, actor_id,
           target_type, target_id, ip, user_agent, details, prev_hash, hash)
         values ($1, $2, $3, null, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15)`,
        [
          id,
          PLATFORM_CHAIN,
          seq,
          entry.occurredAt,
          entry.action,
          entry.outcome,
          entry.actor.type,
          entry.actor.id,
          entry.target?.type ?? null,
          entry.target?.id ?? null,
          entry.ip,
          entry.userAgent,
          JSON.stringify(entry.details),
          prevHash,
          hash,
        ],
      );
      await t.sql(
        `insert into audit_chains (chain_key, last_seq, last_hash) values ($1, $2, $3)
         on conflict (chain_key) do update set last_seq = excluded.last_seq, last_hash = excluded.last_hash`,
        [PLATFORM_CHAIN, seq, hash],
      );
      seqs.push(seq);
      prevHash = hash;
    }
    return seqs;
  }

  /** New entries, through the app: one refused login, and one entry whose details are not plain JSON. */
  async function appendNew(): Promise<number[]> {
    const before = await lastSeq();
    const login = await t.http.post('/v1/auth/login', {
      tenant: 'no-such-tenant',
      email: 'x@example.com',
      password: 'whatever it is',
    });
    expect(login.status).toBe(401);
    await t.app.get(UnitOfWork).run((tx) =>
      t.app.get(AuditLog).append(tx.em, {
        tenantId: null,
        action: 'SomethingOdd',
        outcome: 'success',
        actor: { type: 'system', id: null },
        details: { at: new Date('2030-01-02T00:00:00.000Z'), nan: Number.NaN, gone: undefined, half: 'a\ud800b' },
      }),
    );
    const after = await lastSeq();
    expect(after).toBeGreaterThan(before + 1);
    return Array.from({ length: after - before }, (_, i) => before + 1 + i);
  }

  async function lastSeq(): Promise<number> {
    const [head] = await t.sql('select last_seq from audit_chains where chain_key = $1', [PLATFORM_CHAIN]);
    return Number(head?.last_seq ?? 0);
  }

  const verify = () => t.app.get(AuditVerifier).verify(PLATFORM_CHAIN);

  beforeAll(async () => {
    t = await startTestApp();
    legacySeqs = await appendLegacy(LEGACY_ENTRIES);
    newSeqs = await appendNew();
  });
  afterAll(() => t.close());

  it('verifies across the switch, in the app and from the CLI', async () => {
    expect(await verify()).toEqual({ ok: true, checked: newSeqs.at(-1), lastSeq: newSeqs.at(-1) });
    const run = await cli(t.config, 'audit', 'verify', '--platform');
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain(`OK: the audit chain of the platform is intact (${newSeqs.at(-1)} events`);
  });

  it('stores and hashes a new entry in the form it reads back', async () => {
    const [row] = await t.sql(`select details from audit_events where chain_key = $1 and seq = $2`, [
      PLATFORM_CHAIN,
      newSeqs.at(-1),
    ]);
    expect(row.details).toEqual({ at: '2030-01-02T00:00:00.000Z', nan: null, half: 'a\ufffdb' });
  });

  it.each([
    ['an old entry', () => legacySeqs[1]!],
    ['a new entry', () => newSeqs.at(-1)!],
  ])('names %s whose details were edited in SQL, and verifies again once they are restored', async (_, seqOf) => {
    const seq = seqOf();
    const where = 'where chain_key = $1 and seq = $2';
    await tamper(`update audit_events set details = details || '{"edited":true}' ${where}`, [PLATFORM_CHAIN, seq]);
    try {
      expect(await verify()).toMatchObject({ ok: false, brokenAt: seq, problem: 'hash_mismatch', checked: seq - 1 });
      const run = await cli(t.config, 'audit', 'verify', '--platform');
      expect(run.code).toBe(1);
      expect(run.out).toContain(`broken at seq ${seq}: hash_mismatch`);
    } finally {
      await tamper(`update audit_events set details = details - 'edited' ${where}`, [PLATFORM_CHAIN, seq]);
    }
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('names an old entry whose text column was edited in SQL', async () => {
    const seq = legacySeqs[0]!;
    const where = 'where chain_key = $1 and seq = $2';
    const [{ user_agent: original }] = await t.sql(`select user_agent from audit_events ${where}`, [
      PLATFORM_CHAIN,
      seq,
    ]);
    await tamper(`update audit_events set user_agent = 'curl/8' ${where}`, [PLATFORM_CHAIN, seq]);
    try {
      expect(await verify()).toMatchObject({ ok: false, brokenAt: seq, problem: 'hash_mismatch' });
    } finally {
      await tamper(`update audit_events set user_agent = $3 ${where}`, [PLATFORM_CHAIN, seq, original]);
    }
    expect(await verify()).toMatchObject({ ok: true });
  });
});
