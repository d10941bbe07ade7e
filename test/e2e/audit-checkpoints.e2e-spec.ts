import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import canonicalize from 'canonicalize';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditCheckpointReader,
  type AuditCheckpointView,
  AuditVerifier,
  type CheckpointScope,
  PLATFORM_CHAIN,
  TakeAuditCheckpointsCommand,
} from '../../src/audit/index.js';
import {
  auditCheckpointsPageSchema,
  auditKeysSchema,
} from '../../src/audit/checkpoints/dto/audit-checkpoints.schema.js';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, signIn, type TenantFixture } from '../support/builders.js';
import { cli } from '../support/cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MINUTE = 60_000;
/** AUDIT_CHECKPOINT_INTERVAL_MINUTES, the default. */
const CADENCE = 5 * MINUTE;

describe('signed audit checkpoints', () => {
  const clock = new ManualClock('2030-01-01T00:00:00.000Z');
  let t: TestApp;
  let acme: TenantFixture;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http, 'acme');
    dir = await mkdtemp(join(tmpdir(), 'stepguard-checkpoints-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const take = (scope: CheckpointScope, batchSize?: number) =>
    t.app.get(CommandBus).execute(new TakeAuditCheckpointsCommand(scope, batchSize));
  const takeFor = async (tenant: TenantFixture) =>
    (await take({ kind: 'chain', chainKey: tenant.id })).last as AuditCheckpointView;

  async function stored(chainKey: string): Promise<AuditCheckpointView[]> {
    const rows = await t.sql(
      `select number::int, seq::int, head_hash, time, previous, key_id, signature
         from audit_checkpoints where chain_key = $1 order by number`,
      [chainKey],
    );
    return rows.map((r) => ({
      number: r.number,
      tenantId: chainKey === PLATFORM_CHAIN ? null : chainKey,
      seq: r.seq,
      headHash: r.head_hash,
      time: r.time.toISOString(),
      previous: r.previous,
      keyId: r.key_id,
      signature: r.signature,
    }));
  }

  /** What someone holding the tables' owner role can do: disable the append-only trigger, then change rows. */
  async function asOwner(table: string, ...statements: [string, unknown[]?][]): Promise<void> {
    await t.sql(`alter table ${table} disable trigger ${table}_append_only`);
    try {
      for (const [sql, params] of statements) await t.sql(sql, params);
    } finally {
      await t.sql(`alter table ${table} enable trigger ${table}_append_only`);
    }
  }

  /** A fresh tenant whose chain has `events` events or more (tenant, admin, sign-ins). */
  async function aVictim(signIns = 1): Promise<TenantFixture> {
    const victim = await aTenant(t.http);
    for (let i = 0; i < signIns; i++) await signIn(t.http, victim.slug, victim.admin.email);
    return victim;
  }

  /** The clock moves by hours here: a session opened at the start would have timed out. */
  const refreshAdmin = async (tenant: TenantFixture) => {
    tenant.admin.token = await signIn(t.http, tenant.slug, tenant.admin.email);
  };

  const lastSeqOf = async (chainKey: string) =>
    (await t.sql('select last_seq::int as n from audit_chains where chain_key = $1', [chainKey]))[0].n as number;

  const verifyCli = (tenant: TenantFixture, ...flags: string[]) =>
    cli(t.config, 'audit', 'verify', '--tenant', tenant.slug, ...flags);

  const verifyApp = (tenant: TenantFixture) =>
    t.app.get(AuditVerifier).verifyWithCheckpoints(tenant.id, { maxGapMs: 2 * CADENCE, expectEvents: true });

  describe('cadence', () => {
    it('checkpoints every chain once per cadence window, however often the job runs, and again when idle', async () => {
      const globex = await aTenant(t.http, 'globex');
      clock.set('2030-01-01T01:00:00.000Z');
      const first = await take({ kind: 'due' });
      expect(first.taken).toBe(first.chains);
      expect(first.chains).toBeGreaterThanOrEqual(2);
      expect((await take({ kind: 'due' })).taken).toBe(0);
      clock.advance(CADENCE - 1);
      expect((await take({ kind: 'due' })).taken).toBe(0);

      const [one] = await stored(globex.id);
      expect(one).toMatchObject({ number: 1, previous: null, seq: await lastSeqOf(globex.id) });
      expect(one!.time).toBe('2030-01-01T01:00:00.000Z');

      // Nothing happened since: the next window's checkpoint is a heartbeat of the same head, linked to the first.
      clock.advance(1);
      expect((await take({ kind: 'due' })).taken).toBe(first.chains);
      const [, two, three] = await stored(globex.id);
      expect(two).toMatchObject({ number: 2, seq: one!.seq, headHash: one!.headHash, previous: one!.signature });
      expect(three).toBeUndefined();
    });

    it('makes one checkpoint per chain and window when runs overlap, and reads the chains in keyset batches', async () => {
      clock.advance(CADENCE);
      const runs = await Promise.all([take({ kind: 'due' }, 1), take({ kind: 'due' }, 2), take({ kind: 'due' })]);
      const chains = runs[2]!.chains;
      expect(runs.map((r) => r.chains)).toEqual([chains, chains, chains]);
      expect(runs.reduce((sum, r) => sum + r.taken, 0)).toBe(chains);
      const perChain = await t.sql(
        `select chain_key, count(*)::int as n from audit_checkpoints where time = $1 group by chain_key`,
        [clock.now()],
      );
      expect(perChain).toHaveLength(chains);
      expect(perChain.every((row) => row.n === 1)).toBe(true);
    });

    it('signs the committed head: the seq and hash of the chain’s last event', async () => {
      await refreshAdmin(acme);
      const member = await aUser(t.http, acme);
      await signIn(t.http, 'acme', member.email);
      const c = await takeFor(acme);
      const [head] = await t.sql(
        'select seq::int, hash from audit_events where chain_key = $1 order by seq desc limit 1',
        [acme.id],
      );
      expect(c).toMatchObject({ tenantId: acme.id, seq: head.seq, headHash: head.hash, keyId: 'test1' });
      expect((await stored(acme.id)).at(-1)).toEqual(c);
    });
  });

  describe('serving', () => {
    beforeAll(() => refreshAdmin(acme));

    it('publishes the public keys at a well-known route, without credentials, and they verify every checkpoint', async () => {
      const res = await t.http.get('/.well-known/stepguard-audit-keys');
      expect(res.status).toBe(200);
      expect(auditKeysSchema.safeParse(res.body).error).toBeUndefined();
      expect(res.body.keys).toEqual([
        { keyId: 'test1', algorithm: 'Ed25519', publicKey: { kty: 'OKP', crv: 'Ed25519', x: expect.any(String) } },
      ]);
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      const key = createPublicKey({ key: res.body.keys[0].publicKey, format: 'jwk' });

      const checkpoints = await stored(acme.id);
      expect(checkpoints.length).toBeGreaterThanOrEqual(3);
      checkpoints.forEach((c, i) => {
        const payload = canonicalize({
          tenant: c.tenantId,
          seq: c.seq,
          headHash: c.headHash,
          time: c.time,
          previous: c.previous,
        });
        expect(verify(null, Buffer.from(payload!), key, Buffer.from(c.signature, 'base64url'))).toBe(true);
        expect(c.previous).toBe(i === 0 ? null : checkpoints[i - 1]!.signature);
      });
      // A changed byte of what was signed no longer verifies.
      const c = checkpoints[0]!;
      const forged = canonicalize({
        tenant: c.tenantId,
        seq: c.seq + 1,
        headHash: c.headHash,
        time: c.time,
        previous: c.previous,
      });
      expect(verify(null, Buffer.from(forged!), key, Buffer.from(c.signature, 'base64url'))).toBe(false);
    });

    it("serves the tenant's own checkpoints in number order, paged by number", async () => {
      const all = await stored(acme.id);
      const page = await t.http.get('/v1/audit-checkpoints?limit=2', acme.admin.token);
      expect(page.status).toBe(200);
      expect(auditCheckpointsPageSchema.safeParse(page.body).error).toBeUndefined();
      expect(page.body).toEqual({ checkpoints: all.slice(0, 2), nextCursor: 2 });
      const rest = await t.http.get(`/v1/audit-checkpoints?after=2&limit=500`, acme.admin.token);
      expect(rest.body).toEqual({ checkpoints: all.slice(2), nextCursor: null });
      expect(all.every((c) => c.tenantId === acme.id)).toBe(true);
    });

    it('serves API keys with audit:read, refuses members, anonymous callers and bad parameters', async () => {
      const reader = await t.http.post(
        '/v1/admin/api-keys',
        { name: 'siem', scopes: ['audit:read'] },
        acme.admin.token,
      );
      const page = await t.http.get('/v1/audit-checkpoints', reader.body.key);
      expect(page.status).toBe(200);
      expect(page.body.checkpoints).toEqual(await stored(acme.id));
      const member = await aUser(t.http, acme);
      expect((await t.http.get('/v1/audit-checkpoints', member.token)).status).toBe(403);
      expect((await t.http.get('/v1/audit-checkpoints')).status).toBe(401);
      for (const query of ['after=-1', 'after=x', 'limit=0', 'limit=501', 'tenant=globex']) {
        const res = await t.http.get(`/v1/audit-checkpoints?${query}`, acme.admin.token);
        expect({ query, status: res.status, code: res.body.code }).toEqual({
          query,
          status: 400,
          code: 'validation_failed',
        });
      }
    });

    it('gives sinks the checkpoints after a number, up to the seq they have delivered, in number order', async () => {
      const all = await stored(acme.id);
      const reader = t.app.get(AuditCheckpointReader);
      expect(await reader.list(acme.id, { after: 1, limit: 100 })).toEqual(all.slice(1));
      // Checkpoints #1-#3 cover the same seq (the chain was idle); #4 covers later events.
      expect(await reader.list(acme.id, { after: 1, upToSeq: all[2]!.seq, limit: 100 })).toEqual(all.slice(1, 3));
      expect(await reader.list(acme.id, { after: 0, upToSeq: all[0]!.seq - 1, limit: 100 })).toEqual([]);
      expect(await reader.list(acme.id, { after: 0, limit: 2 })).toEqual(all.slice(0, 2));
    });

    it('is documented in the OpenAPI document', async () => {
      const doc = (await t.http.get('/openapi.json')).body;
      const list = doc.paths['/v1/audit-checkpoints'].get;
      expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['after', 'limit']);
      expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
      const keys = doc.paths['/.well-known/stepguard-audit-keys'].get;
      expect(keys.responses['200'].content['application/json'].schema.properties.keys).toBeDefined();
    });
  });

  describe('audit verify', () => {
    it('passes an untouched chain with its checkpoints, in the app and from the CLI', async () => {
      const victim = await aVictim();
      await takeFor(victim);
      clock.advance(CADENCE);
      await signIn(t.http, victim.slug, victim.admin.email);
      await takeFor(victim);
      expect(await verifyApp(victim)).toMatchObject({
        ok: true,
        chain: { ok: true },
        checkpoints: { count: 2 },
        findings: [],
      });
      const run = await verifyCli(victim);
      expect(run).toMatchObject({ code: 0, err: '' });
      expect(run.out).toContain(`OK: the audit chain of tenant ${victim.slug} is intact`);
      expect(run.out).toContain('OK: 2 signed checkpoints on cadence, the newest #2');
    });

    it('catches rows deleted after a checkpoint, even with the head moved back to match', async () => {
      const victim = await aVictim(3);
      const c = await takeFor(victim);
      const keep = c.seq - 2;
      const [kept] = await t.sql('select hash from audit_events where chain_key = $1 and seq = $2', [victim.id, keep]);
      await asOwner('audit_events', ['delete from audit_events where chain_key = $1 and seq > $2', [victim.id, keep]]);
      await t.sql('update audit_chains set last_seq = $2, last_hash = $3 where chain_key = $1', [
        victim.id,
        keep,
        kept.hash,
      ]);

      // The chain alone looks whole: only the checkpoint knows it was longer.
      expect(await t.app.get(AuditVerifier).verify(victim.id)).toMatchObject({ ok: true, lastSeq: keep });
      const report = await verifyApp(victim);
      expect(report).toMatchObject({ ok: false, chain: { ok: true } });
      expect(report.findings).toEqual([
        {
          problem: 'checkpoint_past_chain_end',
          checkpoint: c.number,
          detail: `rows deleted after checkpoint #${c.number} (${c.time}): it covers seq ${c.seq}, but the chain ends at seq ${keep}`,
        },
      ]);
      const run = await verifyCli(victim);
      expect(run.code).toBe(1);
      expect(run.out).toContain(`BROKEN: checkpoint_past_chain_end: rows deleted after checkpoint #${c.number}`);
    });

    it('catches an edited head row', async () => {
      const victim = await aVictim();
      await takeFor(victim);
      await t.sql(`update audit_chains set last_hash = repeat('a', 64) where chain_key = $1`, [victim.id]);
      const run = await verifyCli(victim);
      expect(run.code).toBe(1);
      expect(run.out).toContain(`BROKEN: the audit chain of tenant ${victim.slug} is broken at seq`);
      expect(run.out).toContain(": head_mismatch: the head's hash does not match");
    });

    it('catches a TRUNCATE of the events, and of the events and heads together', async () => {
      const victim = await aVictim();
      const c = await takeFor(victim);
      const other = await aVictim();
      await takeFor(other);
      // TRUNCATE takes every chain: the heads keep pointing at seqs that are gone.
      await asOwner('audit_events', ['truncate audit_events']);
      let run = await verifyCli(victim);
      expect(run.code).toBe(1);
      expect(run.out).toContain(': head_mismatch: the head is at seq');
      expect(run.out).toContain(
        `BROKEN: chain_emptied: checkpoint #${c.number} (${c.time}) covers seq ${c.seq}, but the chain has no events left`,
      );

      await asOwner('audit_chains', ['truncate audit_chains']);
      run = await verifyCli(victim);
      expect(run.code).toBe(1);
      expect(run.out).toContain(`OK: the audit chain of tenant ${victim.slug} is intact (0 events`);
      expect(run.out).toContain('BROKEN: chain_emptied');
      // And with the checkpoints gone as well: a tenant's chain is never empty.
      await asOwner('audit_checkpoints', ['truncate audit_checkpoints']);
      run = await verifyCli(other);
      expect(run.code).toBe(1);
      expect(run.out).toContain("BROKEN: chain_emptied: the tenant's chain has no events and no checkpoints");
    });
  });

  describe('audit verify on a chain written after the TRUNCATE', () => {
    it('catches a missing heartbeat: a gap in time, deleted checkpoints, and none since long ago', async () => {
      const victim = await aVictim();
      const first = await takeFor(victim);
      clock.advance(3 * CADENCE);
      await takeFor(victim);
      let run = await verifyCli(victim);
      expect(run.code).toBe(1);
      expect(run.out).toContain(
        `BROKEN: heartbeat_missing: no checkpoint between #1 (${first.time}) and #2 (${clock.now().toISOString()}): ` +
          '15 minutes without a heartbeat, the cadence allows 10 minutes',
      );
      // A longer tolerance accepts the gap.
      expect((await verifyCli(victim, '--tolerance-minutes', '10')).code).toBe(0);

      const rest = await aVictim();
      for (let i = 0; i < 4; i++) {
        await takeFor(rest);
        clock.advance(CADENCE);
      }
      await asOwner('audit_checkpoints', [
        'delete from audit_checkpoints where chain_key = $1 and number = 2',
        [rest.id],
      ]);
      run = await verifyCli(rest);
      expect(run.code).toBe(1);
      expect(run.out).toContain(
        'BROKEN: checkpoint_number_gap: checkpoint #2 is missing (deleted): the next stored one is #3',
      );

      // The newest checkpoints deleted together with the events they covered: only the silence since shows.
      await asOwner('audit_checkpoints', [
        'delete from audit_checkpoints where chain_key = $1 and number > 1',
        [rest.id],
      ]);
      clock.advance(CADENCE);
      const report = await verifyApp(rest);
      expect(report.findings).toEqual([
        expect.objectContaining({
          problem: 'heartbeat_missing',
          checkpoint: 1,
          detail: expect.stringContaining('no checkpoint since #1'),
        }),
      ]);
    });

    it('checks a checkpoint a SIEM saved, from a file or a URL, and finds the tail it proves was cut', async () => {
      const victim = await aVictim(2);
      await takeFor(victim);
      await signIn(t.http, victim.slug, victim.admin.email);
      const saved = await takeFor(victim);
      const file = join(dir, `${victim.slug}.json`);
      await writeFile(file, JSON.stringify({ type: 'audit_checkpoint', ...saved }));
      const ok = await verifyCli(victim, '--checkpoint', file);
      expect(ok).toMatchObject({ code: 0, err: '' });
      expect(ok.out).toContain(`OK: the given checkpoint #${saved.number} (seq ${saved.seq}, ${saved.time}) holds`);

      // Within one cadence window, the events after the first checkpoint, the head and the newer checkpoint are
      // all removed consistently: what the database holds verifies, the SIEM's copy does not.
      const [kept] = await t.sql('select seq::int, hash from audit_events where chain_key = $1 and seq = $2', [
        victim.id,
        (await stored(victim.id))[0]!.seq,
      ]);
      await asOwner('audit_events', [
        'delete from audit_events where chain_key = $1 and seq > $2',
        [victim.id, kept.seq],
      ]);
      await t.sql('update audit_chains set last_seq = $2, last_hash = $3 where chain_key = $1', [
        victim.id,
        kept.seq,
        kept.hash,
      ]);
      await asOwner('audit_checkpoints', [
        'delete from audit_checkpoints where chain_key = $1 and number > 1',
        [victim.id],
      ]);
      expect((await verifyCli(victim)).code).toBe(0);

      const server = await serve(JSON.stringify({ checkpoints: [saved] }));
      try {
        const { port } = server.address() as { port: number };
        for (const source of [file, `http://127.0.0.1:${port}/checkpoint.json`]) {
          const run = await verifyCli(victim, '--checkpoint', source);
          expect(run.code).toBe(1);
          expect(run.out).toContain(
            `BROKEN: checkpoint_past_chain_end: rows deleted after checkpoint #${saved.number}`,
          );
          expect(run.out).toContain(
            `BROKEN: checkpoint_missing: the given checkpoint #${saved.number} is not stored: the newest stored is #1`,
          );
        }
      } finally {
        server.close();
      }
    });

    it('refuses a forged checkpoint and one of another tenant', async () => {
      const victim = await aVictim();
      const c = await takeFor(victim);
      const forged = join(dir, 'forged.json');
      await writeFile(forged, JSON.stringify({ ...c, seq: c.seq + 5 }));
      let run = await verifyCli(victim, '--checkpoint', forged);
      expect(run.code).toBe(1);
      expect(run.out).toContain(
        `BROKEN: checkpoint_signature_invalid: the signature of checkpoint #${c.number} does not verify`,
      );
      const theirs = join(dir, 'theirs.json');
      await writeFile(theirs, JSON.stringify(await takeFor(acme)));
      run = await verifyCli(victim, '--checkpoint', theirs);
      expect(run.code).toBe(1);
      expect(run.out).toContain(`BROKEN: checkpoint_other_chain: the given checkpoint is of tenant ${acme.id}`);
      const junk = join(dir, 'junk.json');
      await writeFile(junk, '{"seq": "x"}');
      run = await verifyCli(victim, '--checkpoint', junk);
      expect(run).toMatchObject({ code: 1, err: expect.stringContaining(`--checkpoint ${junk}: not a checkpoint`) });
    });

    it('checkpoints on demand from the CLI, for one tenant or every chain', async () => {
      const victim = await aVictim();
      let run = await cli(t.config, 'audit', 'checkpoint', '--tenant', victim.slug);
      expect(run).toMatchObject({ code: 0, err: '' });
      const [c] = await stored(victim.id);
      expect(run.out).toBe(
        `signed checkpoint #1 of tenant ${victim.slug}: seq ${c!.seq}, head ${c!.headHash}, key test1, ${c!.time}`,
      );
      run = await cli(t.config, 'audit', 'checkpoint');
      const [{ n }] = await t.sql('select count(*)::int as n from audit_chains');
      expect(run.out).toBe(`signed ${n} checkpoints, one per chain`);
      expect((await stored(victim.id)).map((s) => s.number)).toEqual([1, 2]);
    });
  });

  describe('the append-only tables', () => {
    it.each([
      ['truncate audit_events', 'TRUNCATE on audit_events is refused'],
      ['delete from audit_events', 'DELETE on audit_events is refused'],
      ['update audit_events set ip = null', 'UPDATE on audit_events is refused'],
      ['truncate audit_chains', 'TRUNCATE on audit_chains is refused'],
      ['delete from audit_chains where false', 'DELETE on audit_chains is refused'],
      ['truncate audit_checkpoints', 'TRUNCATE on audit_checkpoints is refused'],
      ['delete from audit_checkpoints', 'DELETE on audit_checkpoints is refused'],
      ['update audit_checkpoints set seq = 0', 'UPDATE on audit_checkpoints is refused'],
    ])('refuses %s, even to the superuser, unless a trigger is disabled', async (sql, message) => {
      await expect(t.sql(sql)).rejects.toThrow(message);
    });

    it('still lets audit_append move a head', async () => {
      const tenant = await aTenant(t.http);
      const before = await lastSeqOf(tenant.id);
      await signIn(t.http, tenant.slug, tenant.admin.email);
      expect(await lastSeqOf(tenant.id)).toBe(before + 1);
    });
  });
});

function serve(body: string): Promise<Server> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
