import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, signIn, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp } from '../support/totp.js';

const DAY = 24 * 60 * 60_000;
const FILTERS = ['enrolled', 'not_enrolled', 'grace', 'overdue'] as const;

interface Listed {
  id: string;
  email: string;
  roles: string[];
  createdAt: string;
  mfa: { enrolled: boolean; factorTypes: string[]; status: string; deadline: string | null };
}

/** `GET /v1/admin/users` with its MFA standing and the `?mfa=` filter, applied in the database. */
describe('GET /v1/admin/users?mfa=', () => {
  const clock = new ManualClock('2030-09-01T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  /** Policies require MFA of members only: an admin without MFA cannot require it of themselves. */
  const requireOfMembers = (changes: object = {}) =>
    setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 7, ...changes });
  /** The clock jumps by days: the admin signs in again so their session has not idled out. */
  const freshAdmin = async () => {
    acme.admin.token = await signIn(t.http, acme.slug, acme.admin.email);
  };

  /** Every user a query lists, following `nextCursor`; each page checked to be full while more follow. */
  async function listAll(query = '', token = acme.admin.token, limit = 200): Promise<Listed[]> {
    const users: Listed[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.http.get(`/v1/admin/users?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, token);
      expect(res.status).toBe(200);
      const page = res.body as { users: Listed[]; nextCursor: string | null };
      if (page.nextCursor) {
        expect(page.users).toHaveLength(limit);
        expect(page.nextCursor).toBe(page.users.at(-1)!.id);
      }
      users.push(...page.users);
      cursor = page.nextCursor;
    } while (cursor);
    return users;
  }
  const idsOf = async (query: string, token?: string) => (await listAll(query, token)).map((u) => u.id).sort();
  const byId = async () => new Map((await listAll()).map((u) => [u.id, u]));

  /** What each filter must select, judged on the engine's status in the unfiltered list. */
  const selects: Record<(typeof FILTERS)[number], (u: Listed) => boolean> = {
    enrolled: (u) => u.mfa.enrolled,
    not_enrolled: (u) => u.mfa.status === 'grace' || u.mfa.status === 'overdue',
    grace: (u) => u.mfa.status === 'grace',
    overdue: (u) => u.mfa.status === 'overdue',
  };
  /** The SQL filter and the pure engine agree on every user of the tenant. */
  async function expectFiltersAgreeWithEngine() {
    const all = await listAll();
    for (const filter of FILTERS) {
      const expected = all
        .filter(selects[filter])
        .map((u) => u.id)
        .sort();
      expect({ filter, ids: await idsOf(`&mfa=${filter}`) }).toEqual({ filter, ids: expected });
    }
  }

  it('lists every user with their enrolment, active factor types, status and deadline', async () => {
    const member = await aUser(t.http, acme);
    const withTotp = await aUserWithTotp(t.http, acme, clock);
    const pending = await aUser(t.http, acme);
    await enrolTotp(t.http, pending.token);
    const users = await byId();
    expect(users.get(member.id)).toEqual({
      id: member.id,
      email: member.email,
      roles: ['member'],
      createdAt: expect.any(String),
      mfa: { enrolled: false, factorTypes: [], status: 'exempt', deadline: null },
    });
    expect(users.get(withTotp.id)!.mfa).toEqual({
      enrolled: true,
      factorTypes: ['totp'],
      status: 'exempt',
      deadline: null,
    });
    // A factor whose enrolment was never verified is not active: it shows nowhere.
    expect(users.get(pending.id)!.mfa).toMatchObject({ enrolled: false, factorTypes: [] });
    expect(await idsOf('&mfa=enrolled')).toEqual([withTotp.id]);
    expect(await idsOf('&mfa=not_enrolled')).toEqual([]);
  });

  it('puts members in grace until the deadline and overdue from its millisecond on; managers stay exempt', async () => {
    const members = [await aUser(t.http, acme), await aUser(t.http, acme)];
    const compliant = await aUserWithTotp(t.http, acme, clock);
    const manager = await aUser(t.http, acme, ['manager']);
    const savedAt = clock.now().getTime();
    await requireOfMembers();
    const deadline = new Date(savedAt + 7 * DAY).toISOString();
    const memberIds = members.map((m) => m.id).sort();

    expect(await idsOf('&mfa=grace')).toEqual(memberIds);
    expect(await idsOf('&mfa=not_enrolled')).toEqual(memberIds);
    expect(await idsOf('&mfa=overdue')).toEqual([]);
    expect(await idsOf('&mfa=enrolled')).toEqual([compliant.id]);
    const users = await byId();
    expect(users.get(members[0]!.id)!.mfa).toEqual({ enrolled: false, factorTypes: [], status: 'grace', deadline });
    expect(users.get(compliant.id)!.mfa).toMatchObject({ status: 'compliant', deadline: null });
    expect(users.get(manager.id)!.mfa).toMatchObject({ status: 'exempt', deadline: null });
    expect(users.get(acme.admin.id)!.mfa).toMatchObject({ status: 'exempt' });
    await expectFiltersAgreeWithEngine();

    clock.set(new Date(savedAt + 7 * DAY - 1));
    await freshAdmin();
    expect(await idsOf('&mfa=grace')).toEqual(memberIds);
    clock.set(new Date(savedAt + 7 * DAY));
    await freshAdmin();
    const newcomer = await aUser(t.http, acme);
    expect(await idsOf('&mfa=overdue')).toEqual(memberIds);
    expect(await idsOf('&mfa=grace')).toEqual([newcomer.id]);
    expect(await idsOf('&mfa=not_enrolled')).toEqual([...memberIds, newcomer.id].sort());
    expect((await byId()).get(members[1]!.id)!.mfa).toMatchObject({ status: 'overdue', deadline });
    await expectFiltersAgreeWithEngine();
  });

  it('makes every member overdue at once under a grace period of 0 days, in SQL and in the engine alike', async () => {
    const member = await aUser(t.http, acme);
    await aUserWithTotp(t.http, acme, clock);
    await requireOfMembers({ gracePeriodDays: 0 });
    expect(await idsOf('&mfa=overdue')).toEqual([member.id]);
    await expectFiltersAgreeWithEngine();
  });

  it('pages a filtered list with a small limit: full pages, every matching user exactly once', async () => {
    const matching: string[] = [];
    for (let i = 0; i < 5; i++) {
      matching.push((await aUser(t.http, acme)).id);
      await aUser(t.http, acme, ['manager']);
    }
    await requireOfMembers();
    const seen = (await listAll('&mfa=grace', acme.admin.token, 2)).map((u) => u.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(matching.sort());
    expect(seen).toEqual([...seen].sort());
  });

  it('shows a factor of a disallowed method in factorTypes, but not as enrolled', async () => {
    const member = await aUserWithTotp(t.http, acme, clock);
    await requireOfMembers({ allowedMethods: ['email'] });
    expect((await byId()).get(member.id)!.mfa).toEqual({
      enrolled: false,
      factorTypes: ['totp'],
      status: 'grace',
      deadline: expect.any(String),
    });
    expect(await idsOf('&mfa=enrolled')).toEqual([]);
    expect(await idsOf('&mfa=not_enrolled')).toEqual([member.id]);
    await expectFiltersAgreeWithEngine();
  });

  it('lets an API key with users:read list and filter; refuses a member with 403', async () => {
    const member = await aUser(t.http, acme);
    await requireOfMembers();
    const key = (await t.http.post('/v1/admin/api-keys', { name: 'siem', scopes: ['users:read'] }, acme.admin.token))
      .body.key as string;
    expect(await idsOf('&mfa=grace', key)).toEqual([member.id]);
    const refused = await t.http.get('/v1/admin/users?mfa=grace', member.token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
  });

  it('never lists another tenant’s users, under any filter', async () => {
    const globex = await aTenant(t.http);
    const theirs = [globex.admin.id, (await aUser(t.http, globex)).id, (await aUserWithTotp(t.http, globex, clock)).id];
    await setMfaPolicy(t.http, globex, { requireMfa: true, requiredRoles: ['member'] });
    await aUser(t.http, acme);
    await requireOfMembers();
    for (const query of ['', ...FILTERS.map((f) => `&mfa=${f}`)]) {
      const ids = await idsOf(query);
      expect({ query, foreign: ids.filter((id) => theirs.includes(id)) }).toEqual({ query, foreign: [] });
    }
    expect(await idsOf('')).toContain(acme.admin.id);
  });

  it('refuses an unknown filter, a malformed cursor or an unknown parameter with 400', async () => {
    for (const query of ['mfa=bogus', 'mfa=', 'mfa=exempt', 'cursor=zzz', 'limit=201', 'colour=red']) {
      const res = await t.http.get(`/v1/admin/users?${query}`, acme.admin.token);
      expect({ query, status: res.status, code: res.body.code }).toEqual({
        query,
        status: 400,
        code: 'validation_failed',
      });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});
