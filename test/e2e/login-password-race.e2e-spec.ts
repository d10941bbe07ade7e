import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PasswordHasher } from '../../src/common/crypto/password-hasher.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import type { HttpResult } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';

const NEW_PASSWORD = 'a brand new passphrase';

/**
 * A login checks the password, then opens a session: a password change landing in between must not
 * leave that session alive. Each test holds the login at one step (a spy on a provider) and changes
 * the password through the API meanwhile.
 */
describe('a login racing a password change', () => {
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp();
    acme = await aTenant(t.http);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(() => t.close());

  const login = (email: string) => t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });
  const changePassword = (token: string) =>
    t.http.post('/v1/me/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, token);

  it('refuses the login when the password changed after it was verified, audited as password_changed', async () => {
    const user = await aUser(t.http, acme);
    const hasher = t.app.get(PasswordHasher);
    const verify = hasher.verify.bind(hasher);
    let changed: HttpResult | undefined;
    jest.spyOn(hasher, 'verify').mockImplementationOnce(async (hash, password) => {
      const ok = await verify(hash, password);
      changed = await changePassword(user.token);
      return ok;
    });

    const res = await login(user.email);
    expect(changed?.status).toBe(204);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_credentials');
    expect((await t.http.get('/v1/me/sessions', user.token)).body.sessions).toHaveLength(1);
    const audited = await t.sql(`select details from audit_events where action = 'LoginFailed' and target_id = $1`, [
      user.id,
    ]);
    expect(audited.map((r) => r.details)).toEqual([{ reason: 'password_changed', email: user.email }]);
  });

  it('has a password change that commits while the login opens its session revoke that session', async () => {
    const user = await aUser(t.http, acme);
    const sessions = t.app.get(SessionsService);
    const open = sessions.open.bind(sessions);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const opening = new Promise<void>((resolve) => (reached = resolve));
    // Holds the login inside its session-opening transaction, after the password hash was read.
    jest.spyOn(sessions, 'open').mockImplementationOnce(async (tx, input) => {
      reached();
      await released;
      return open(tx, input);
    });

    const loggingIn = login(user.email);
    await opening;
    let changeDone = false;
    const changing = changePassword(user.token).finally(() => (changeDone = true));
    // Let the login go on once the change has finished (the race as it was), or once the change is
    // waiting for a lock (the fix: its UPDATE waits for the login's share lock on the user row).
    await waitUntil(async () => changeDone || (await waitingForALock(t)), {
      what: 'the password change finished or waiting for a lock',
    });
    release();

    const [loggedIn, changed] = await Promise.all([loggingIn, changing]);
    expect(changed.status).toBe(204);
    expect(loggedIn.status).toBe(200);
    expect((await t.http.get('/v1/me', loggedIn.body.token)).status).toBe(401);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(200);
  });
});

/** Any backend on the test database waiting for a lock; a backend's activity is visible from any connection. */
async function waitingForALock(t: TestApp): Promise<boolean> {
  const rows = await t.sql(
    `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
  );
  return rows.length > 0;
}
