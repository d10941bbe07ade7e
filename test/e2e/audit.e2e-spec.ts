import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GENESIS_HASH } from '../../src/audit/audit-hash.js';
import { AuditVerifier } from '../../src/audit/audit-verifier.js';
import { auditEventsPageSchema } from '../../src/audit/dto/audit-events-page.schema.js';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, signIn, type TenantFixture } from '../support/builders.js';
import { cli } from '../support/cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-01T00:01:00.000Z';
const T2 = '2030-01-01T00:02:00.000Z';

interface Page {
  events: any[];
  nextCursor: number | null;
}

describe('audit log', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let member: { id: string; email: string; token: string };
  let globex: TenantFixture;

  /** acme's story: created at T0; at T1 a member joins, signs in and mistypes; at T2 signs out and in again. */
  beforeAll(async () => {
    const clock = new ManualClock(T0);
    t = await startTestApp({ clock });
    acme = await aTenant(t.http, 'acme');
    clock.set(T1);
    member = await aUser(t.http, acme, ['member']);
    const wrong = await t.http.post('/v1/auth/login', {
      tenant: 'acme',
      email: member.email,
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    clock.set(T2);
    expect((await t.http.post('/v1/auth/logout', undefined, member.token)).status).toBe(204);
    member.token = await signIn(t.http, 'acme', member.email);
    globex = await aTenant(t.http, 'globex');
  });
  afterAll(() => t.close());

  async function list(token: string, query = ''): Promise<Page> {
    const res = await t.http.get(`/v1/admin/audit${query ? `?${query}` : ''}`, token);
    expect(res.status).toBe(200);
    // The documented response schema (OpenAPI) must describe what is actually sent.
    expect(auditEventsPageSchema.safeParse(res.body).error).toBeUndefined();
    return res.body;
  }

  async function everything(token: string): Promise<any[]> {
    const page = await list(token, 'limit=500');
    expect(page.nextCursor).toBeNull();
    return page.events;
  }

  const actions = (page: Page) => page.events.map((e) => e.action);

  /** What a database superuser could do: the append-only trigger stops everyone else. */
  async function tamper(sql: string, params: unknown[]): Promise<void> {
    await t.sql('alter table audit_events disable trigger audit_events_append_only');
    try {
      await t.sql(sql, params);
    } finally {
      await t.sql('alter table audit_events enable trigger audit_events_append_only');
    }
  }

  it("records the tenant's changes, sign-ins and failures as a hash chain in seq order", async () => {
    const events = await everything(acme.admin.token);
    expect(events.map((e) => e.action).slice(0, 8)).toEqual([
      'TenantCreated',
      'UserCreated',
      'SessionCreated', // T0: the tenant, its admin, the admin's sign-in
      'UserCreated',
      'SessionCreated',
      'LoginFailed', //  T1
      'SessionRevoked',
      'SessionCreated', //              T2
    ]);
    events.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.prevHash).toBe(i === 0 ? GENESIS_HASH : events[i - 1].hash);
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    });
    expect(events[0]).toMatchObject({
      occurredAt: T0,
      actor: { type: 'operator' },
      target: { type: 'tenant', id: acme.id },
    });
    expect(events[3]).toMatchObject({
      outcome: 'success',
      occurredAt: T1,
      actor: { type: 'user', id: acme.admin.id },
      target: { type: 'user', id: member.id },
      details: { email: member.email, roles: ['member'] },
    });
    expect(events[5]).toMatchObject({
      outcome: 'failure',
      actor: { type: 'user', id: member.id },
      ip: expect.any(String),
      userAgent: expect.any(String),
      details: { reason: 'wrong_password', email: member.email },
    });
    expect(events[6]).toMatchObject({
      occurredAt: T2,
      actor: { type: 'user', id: member.id },
      details: { reason: 'logout' },
    });
  });

  it('pages with the after cursor until nextCursor is null', async () => {
    const all = await everything(acme.admin.token);
    const paged: any[] = [];
    let cursor: number | null = null;
    do {
      const page = await list(acme.admin.token, `limit=3${cursor === null ? '' : `&after=${cursor}`}`);
      expect(page.events.length).toBeLessThanOrEqual(3);
      if (page.nextCursor !== null) expect(page.nextCursor).toBe(page.events.at(-1).seq);
      paged.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(all);
    expect((await list(acme.admin.token, `after=${all.at(-1).seq}`)).events).toEqual([]);
  });

  it('filters by action, with the cursor still paging through the matches', async () => {
    const created = await list(acme.admin.token, 'action=SessionCreated');
    expect(created.events.map((e) => e.seq)).toEqual([3, 5, 8]);
    const first = await list(acme.admin.token, 'action=SessionCreated&limit=2');
    expect(first).toEqual({ events: created.events.slice(0, 2), nextCursor: 5 });
    expect(await list(acme.admin.token, 'action=SessionCreated&limit=2&after=5')).toEqual({
      events: created.events.slice(2),
      nextCursor: null,
    });
  });

  it('filters by actor', async () => {
    const byMember = await list(acme.admin.token, `actorId=${member.id}`);
    expect(actions(byMember)).toEqual(['SessionCreated', 'LoginFailed', 'SessionRevoked', 'SessionCreated']);
    expect(byMember.events.every((e) => e.actor.id === member.id)).toBe(true);
  });

  it('filters by time: from inclusive, to exclusive, any UTC offset', async () => {
    expect(actions(await list(acme.admin.token, `to=${T1}`))).toEqual([
      'TenantCreated',
      'UserCreated',
      'SessionCreated',
    ]);
    const t1 = await list(acme.admin.token, `from=${T1}&to=${encodeURIComponent('2030-01-01T01:02:00+01:00')}`);
    expect(actions(t1)).toEqual(['UserCreated', 'SessionCreated', 'LoginFailed']);
    expect(t1.events.every((e) => e.occurredAt === T1)).toBe(true);
    expect(actions(await list(acme.admin.token, `from=${T2}&action=SessionRevoked`))).toEqual(['SessionRevoked']);
  });

  it('refuses bad parameters with 400 validation_failed', async () => {
    const bad = [
      'limit=0',
      'limit=501',
      'limit=ten',
      'after=-1',
      'after=abc',
      'after=',
      'from=yesterday',
      'to=2030-13-01T00:00:00Z',
      `from=${T2}&to=${T1}`,
      'action=',
      'action=a&action=b',
      'tenant=globex',
    ];
    for (const query of bad) {
      const res = await t.http.get(`/v1/admin/audit?${query}`, acme.admin.token);
      expect({ query, status: res.status, code: res.body.code }).toEqual({
        query,
        status: 400,
        code: 'validation_failed',
      });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('refuses a member without audit:read with 403, and no token with 401', async () => {
    const res = await t.http.get('/v1/admin/audit', member.token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
    expect((await t.http.get('/v1/admin/audit')).status).toBe(401);
  });

  it('serves an API key with the audit:read scope, and refuses one without it', async () => {
    const reader = await t.http.post('/v1/admin/api-keys', { name: 'siem', scopes: ['audit:read'] }, acme.admin.token);
    const other = await t.http.post(
      '/v1/admin/api-keys',
      { name: 'hr', scopes: ['sessions:disconnect'] },
      acme.admin.token,
    );
    expect([reader.status, other.status]).toEqual([201, 201]);
    const events = await everything(reader.body.key);
    expect(events.at(-1)).toMatchObject({ action: 'ApiKeyCreated', target: { type: 'api_key', id: other.body.id } });
    expect((await t.http.get('/v1/admin/audit', other.body.key)).status).toBe(403);
  });

  it('serves an API key created from the CLI, and names the CLI as its creator', async () => {
    const run = await cli(
      t.config,
      'apikey',
      'create',
      '--tenant',
      'acme',
      '--name',
      'from-cli',
      '--scopes',
      'audit:read',
    );
    expect(run.code).toBe(0);
    const key = run.out.match(/key \(shown once\): (sgk_\S+)/)![1]!;
    const events = await everything(key);
    expect(events.at(-1)).toMatchObject({
      action: 'ApiKeyCreated',
      actor: { type: 'operator', id: 'cli' },
      details: { name: 'from-cli' },
    });
  });

  it("never shows one tenant another tenant's events", async () => {
    const ours = await everything(globex.admin.token);
    const theirs = new Set((await everything(acme.admin.token)).map((e) => e.id));
    expect(ours.length).toBeGreaterThanOrEqual(3);
    expect(ours[0]).toMatchObject({ seq: 1, action: 'TenantCreated', target: { id: globex.id } });
    expect(ours.filter((e) => theirs.has(e.id))).toEqual([]);
    expect(ours.filter((e) => e.actor.id === member.id || e.target?.id === acme.id)).toEqual([]);
  });

  it('is documented in the OpenAPI document with its query parameters', async () => {
    const doc = (await t.http.get('/openapi.json')).body;
    const op = doc.paths['/v1/admin/audit'].get;
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'action',
      'actorId',
      'after',
      'from',
      'limit',
      'to',
    ]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
  });

  describe('verification', () => {
    it('finds an untouched chain intact, in the app and from the CLI', async () => {
      const events = await everything(acme.admin.token);
      expect(await t.app.get(AuditVerifier).verify(acme.id)).toEqual({
        ok: true,
        checked: events.length,
        lastSeq: events.length,
      });
      const run = await cli(t.config, 'audit', 'verify', '--tenant', 'acme');
      expect(run).toMatchObject({ code: 0, err: '' });
      expect(run.out).toContain(`OK: the audit chain of tenant acme is intact (${events.length} events`);
    });

    it('verifies the platform chain, where failures naming no tenant go', async () => {
      await t.http.post('/v1/auth/login', {
        tenant: 'no-such-tenant',
        email: 'x@example.com',
        password: 'whatever it is',
      });
      expect(await t.app.get(AuditVerifier).verify('platform')).toMatchObject({ ok: true });
      expect((await cli(t.config, 'audit', 'verify', '--platform')).code).toBe(0);
    });

    it('names the seq of an event whose details were edited in SQL', async () => {
      const victim = await aTenant(t.http);
      await signIn(t.http, victim.slug, victim.admin.email);
      expect(await t.app.get(AuditVerifier).verify(victim.id)).toMatchObject({ ok: true, lastSeq: 4 });
      await tamper(
        `update audit_events set details = details || '{"roles":["member"]}' where chain_key = $1 and seq = 2`,
        [victim.id],
      );

      expect(await t.app.get(AuditVerifier).verify(victim.id)).toMatchObject({
        ok: false,
        brokenAt: 2,
        problem: 'hash_mismatch',
        checked: 1,
      });
      const run = await cli(t.config, 'audit', 'verify', '--tenant', victim.slug);
      expect(run.code).toBe(1);
      expect(run.out).toContain(`BROKEN: the audit chain of tenant ${victim.slug} is broken at seq 2: hash_mismatch`);
      // The other chains are untouched.
      expect(await t.app.get(AuditVerifier).verify(acme.id)).toMatchObject({ ok: true });
    });

    it('names the gap left by an event deleted in SQL', async () => {
      const victim = await aTenant(t.http);
      await signIn(t.http, victim.slug, victim.admin.email);
      await tamper('delete from audit_events where chain_key = $1 and seq = 3', [victim.id]);

      expect(await t.app.get(AuditVerifier).verify(victim.id)).toMatchObject({
        ok: false,
        brokenAt: 3,
        problem: 'seq_gap',
        checked: 2,
      });
      const run = await cli(t.config, 'audit', 'verify', '--tenant', victim.slug);
      expect(run.code).toBe(1);
      expect(run.out).toContain('broken at seq 3: seq_gap: seq 3 is missing');
    });

    it('notices events deleted from the end of the chain', async () => {
      const victim = await aTenant(t.http);
      await signIn(t.http, victim.slug, victim.admin.email);
      await tamper('delete from audit_events where chain_key = $1 and seq >= 3', [victim.id]);

      expect(await t.app.get(AuditVerifier).verify(victim.id)).toMatchObject({
        ok: false,
        brokenAt: 3,
        problem: 'head_mismatch',
        checked: 2,
      });
      expect((await cli(t.config, 'audit', 'verify', '--tenant', victim.slug)).code).toBe(1);
    });

    it('checks a chain longer than one batch', async () => {
      const events = await everything(acme.admin.token);
      expect(await t.app.get(AuditVerifier).verify(acme.id, 2)).toEqual({
        ok: true,
        checked: events.length,
        lastSeq: events.length,
      });
    });
  });
});
