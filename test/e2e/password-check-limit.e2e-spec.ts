import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const LIMIT = 3;

/** Changing the password checks the current one: a stolen session must not get unlimited guesses. */
describe('current-password checks', () => {
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: String(LIMIT), LOGIN_RATE_WINDOW_SECONDS: '600' },
    });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const change = (token: string, currentPassword: string, newPassword = 'a brand new passphrase') =>
    t.http.post('/v1/me/password', { currentPassword, newPassword }, token);

  const refusalsAudited = async (userId: string) =>
    (
      await t.sql(
        `select details from audit_events
         where action = 'PasswordChanged' and outcome = 'failure' and target_id = $1 order by seq`,
        [userId],
      )
    ).map((r) => r.details.code as string);

  it('refuses with 429 and Retry-After once the budget is spent, even the right password, and audits it', async () => {
    const user = await aUser(t.http, acme);
    for (let i = 0; i < LIMIT; i++) expect((await change(user.token, 'not my password')).status).toBe(401);
    const refused = await change(user.token, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('too_many_attempts');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await refusalsAudited(user.id)).toEqual([...Array(LIMIT).fill('invalid_credentials'), 'too_many_attempts']);
  });

  it('lets exactly the limit of parallel guesses reach the password check', async () => {
    const user = await aUser(t.http, acme);
    const statuses = (await Promise.all(Array.from({ length: 20 }, () => change(user.token, 'not my password')))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - LIMIT);
  });

  it('makes the budget whole again after a correct password', async () => {
    const user = await aUser(t.http, acme);
    for (let i = 0; i < LIMIT - 1; i++) expect((await change(user.token, 'not my password')).status).toBe(401);
    expect((await change(user.token, PASSWORD, 'a brand new passphrase')).status).toBe(204);
    for (let i = 0; i < LIMIT; i++) expect((await change(user.token, 'not my password')).status).toBe(401);
    expect((await change(user.token, 'a brand new passphrase', 'yet another passphrase')).status).toBe(429);
  });

  it('keeps its own budget: a user locked out of password changes can still sign in', async () => {
    const user = await aUser(t.http, acme);
    for (let i = 0; i < LIMIT; i++) await change(user.token, 'not my password');
    expect((await change(user.token, PASSWORD)).status).toBe(429);
    await expect(signIn(t.http, acme.slug, user.email)).resolves.toMatch(/^sgs_/);
  });
});
