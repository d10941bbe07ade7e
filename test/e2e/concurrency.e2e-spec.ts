import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditVerifier } from '../../src/audit/audit-verifier.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('under concurrency', () => {
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_MAX_ATTEMPTS_PER_IP: '10000', LOGIN_MAX_FAILURES_PER_ACCOUNT: '10000' } });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  it('loses nothing in the audit log with 50 parallel logins and revocations', async () => {
    const user = await aUser(t.http, acme);
    const before = await t.sql<{ action: string; n: number }>(
      `select action, count(*)::int as n from audit_events where tenant_id = $1 group by action`,
      [acme.id],
    );
    const count = (rows: { action: string; n: number }[], action: string) =>
      rows.find((r) => r.action === action)?.n ?? 0;

    const logins = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD }),
      ),
    );
    expect(logins.map((r) => r.status)).toEqual(Array(50).fill(200));
    const sessions = (await t.http.get('/v1/me/sessions', user.token)).body.sessions as {
      id: string;
      current: boolean;
    }[];
    expect(sessions).toHaveLength(51);

    const toRevoke = sessions.filter((s) => !s.current);
    const revocations = await Promise.all(toRevoke.map((s) => t.http.delete(`/v1/me/sessions/${s.id}`, user.token)));
    expect(revocations.map((r) => r.status)).toEqual(Array(50).fill(204));
    for (const login of logins) expect((await t.http.get('/v1/me', login.body.token)).status).toBe(401);

    const after = await t.sql<{ action: string; n: number }>(
      `select action, count(*)::int as n from audit_events where tenant_id = $1 group by action`,
      [acme.id],
    );
    expect(count(after, 'SessionCreated') - count(before, 'SessionCreated')).toBe(50);
    expect(count(after, 'SessionRevoked') - count(before, 'SessionRevoked')).toBe(50);

    const seqs = await t.sql<{ seq: number }>(`select seq::int from audit_events where chain_key = $1 order by seq`, [
      acme.id,
    ]);
    expect(seqs.map((r) => r.seq)).toEqual(seqs.map((_, i) => i + 1));
  });

  it('keeps the hash chain intact with logins, revocations and failures interleaved', async () => {
    const user = await aUser(t.http, acme);
    const first = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD }),
      ),
    );
    const mixed = await Promise.all([
      ...first.map((r) => t.http.delete(`/v1/me/sessions/${r.body.session.id}`, user.token)),
      ...Array.from({ length: 20 }, () =>
        t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD }),
      ),
      ...Array.from({ length: 5 }, () =>
        t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: 'wrong password!' }),
      ),
      ...Array.from({ length: 5 }, () =>
        t.http.post('/v1/admin/users', { email: user.email, roles: ['member'] }, acme.admin.token),
      ),
    ]);
    expect(mixed.every((r) => r.status < 500)).toBe(true);
    const verdict = await t.app.get(AuditVerifier).verify(acme.id);
    expect(verdict).toMatchObject({ ok: true });
    const [total] = await t.sql(
      `select count(*)::int as n, max(seq)::int as last from audit_events where chain_key = $1`,
      [acme.id],
    );
    expect(total.n).toBe(total.last);
  });

  it('revokes a session exactly once when the same revocation races', async () => {
    const user = await aUser(t.http, acme);
    const other = (await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD }))
      .body;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.http.delete(`/v1/me/sessions/${other.session.id}`, user.token)),
    );
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    expect(results.filter((r) => r.status === 404)).toHaveLength(9);
    const audited = await t.sql(
      `select outcome, count(*)::int as n from audit_events where action = 'SessionRevoked' and target_id = $1 group by outcome order by outcome`,
      [other.session.id],
    );
    expect(audited).toEqual([
      { outcome: 'failure', n: 9 },
      { outcome: 'success', n: 1 },
    ]);
  });
});
