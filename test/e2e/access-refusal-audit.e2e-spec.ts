import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { sample } from '../support/prometheus.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Refused access is on the record without letting anyone flood it (issue 10, point 8): a 403 of a
 * signed-in caller and a wrong operator token get an `AccessDenied` entry, the first per caller, reason
 * and route in a window; a bad bearer token names nobody and is only counted.
 */
describe('refused access on the record', () => {
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp();
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const denied = async (reason: string) =>
    sample((await t.http.get<string>('/metrics')).body, 'stepguard_access_denied_total', { reason }) ?? 0;
  const entries = (reason: string) =>
    t.sql<{ tenant_id: string | null; actor_id: string | null; details: Record<string, unknown> }>(
      `select tenant_id, actor_id, details from audit_events
        where action = 'AccessDenied' and details->>'reason' = $1 order by seq`,
      [reason],
    );
  const allAccessDenied = async () =>
    (await t.sql<{ n: number }>(`select count(*)::int as n from audit_events where action = 'AccessDenied'`))[0]!.n;

  it('audits a member making themselves admin once, however often they try, and counts every try', async () => {
    const member = await aUser(t.http, acme);
    const before = await denied('forbidden');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.http.patch(`/v1/admin/users/${member.id}`, { roles: ['admin'] }, member.token),
      ),
    );
    expect(answers.map((r) => `${r.status} ${r.body.code}`)).toEqual(Array(20).fill('403 forbidden'));
    expect((await t.http.get(`/v1/admin/users/${member.id}`, acme.admin.token)).body.roles).toEqual(['member']);
    expect(await entries('forbidden')).toEqual([
      {
        tenant_id: acme.id,
        actor_id: member.id,
        details: { reason: 'forbidden', resource: 'PATCH /v1/admin/users/:id' },
      },
    ]);
    expect((await denied('forbidden')) - before).toBe(20);
  });

  it('audits a wrong operator token once per network on the platform chain, and counts every try', async () => {
    const before = await denied('operator_token');
    const body = { slug: 'intruder', name: 'Intruder', admin: { email: 'a@intruder.example', password: PASSWORD } };
    for (const token of ['not-the-operator-token', acme.admin.token, undefined]) {
      for (let i = 0; i < 5; i++) expect((await t.http.post('/v1/tenants', body, token)).status).toBe(401);
    }
    const [entry, ...more] = await entries('operator_token');
    expect(more).toEqual([]);
    expect(entry).toEqual({
      tenant_id: null,
      actor_id: null,
      details: { reason: 'operator_token', resource: 'POST /v1/tenants' },
    });
    expect((await denied('operator_token')) - before).toBe(15);
    expect(await t.sql(`select 1 from tenants where slug = 'intruder'`)).toEqual([]);
  });

  it('counts bad bearer tokens in the metrics and writes nothing to the audit log', async () => {
    const rowsBefore = await allAccessDenied();
    const before = await denied('bad_token');
    for (const token of [`sgs_${'A'.repeat(43)}`, 'garbage', `sgk_${'B'.repeat(43)}`]) {
      for (let i = 0; i < 4; i++) expect((await t.http.get('/v1/me', token)).status).toBe(401);
    }
    expect((await denied('bad_token')) - before).toBe(12);
    expect(await allAccessDenied()).toBe(rowsBefore);
  });
});
