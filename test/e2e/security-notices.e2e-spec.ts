import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, totpCodeAt } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const PUBLIC_URL = 'https://stepguard.example';

/**
 * Every change to an account's security is mailed to its owner (invariant 9), through the outbox and
 * the e-mail worker, to a real SMTP server: what happened, when, from which device, and what to do.
 */
describe('security notices', () => {
  const clock = new ManualClock('2030-06-03T14:05:00Z');
  let smtp: TestSmtp;
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ clock, extra: [WorkersModule], env: { SMTP_URL: smtp.url, PUBLIC_URL } });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const as = (userAgent: string) => ({ 'user-agent': userAgent });
  const call = (method: string, path: string, token: string, body?: unknown, userAgent = CHROME_ON_MAC) =>
    t.http.request(method, path, { token, body, headers: as(userAgent) });

  /** Waits until the worker has delivered every security notice written so far: after that, no mail is late. */
  async function noticesDelivered(timeoutMs = 10_000): Promise<void> {
    const pending = async () =>
      Number(
        (
          await t.sql(
            `select count(*) as n from outbox_messages where kind = 'security_notice' and delivered_at is null`,
          )
        )[0].n,
      );
    await waitUntil(pending, { what: 'every security notice delivered', until: (n) => n === 0, timeoutMs });
  }

  /** The one notice `email` got with a subject matching `subject`, once every notice is delivered. */
  async function theNotice(email: string, subject: RegExp) {
    const mail = await smtp.nth(email, 1, 10_000, subject);
    await noticesDelivered();
    expect(smtp.to(email, subject)).toHaveLength(1);
    return mail;
  }

  function expectToNameDeviceAndWhatToDo(mail: { text: string; html: string }, when: RegExp) {
    expect(mail.text).toMatch(when);
    expect(mail.text).toMatch(/Chrome 131 on macOS/);
    expect(mail.text).toMatch(/IP address (::ffff:)?127\.0\.0\.1/);
    expect(mail.text).toContain(`change your password`);
    expect(mail.text).toContain(PUBLIC_URL);
    expect(mail.html).toContain('Chrome 131 on macOS');
  }

  it('tells the owner that a factor was added, when and from which device', async () => {
    const user = await aUser(t.http, acme);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    const verified = await call('POST', `/v1/me/factors/${factorId}/verify`, user.token, {
      code: totpCodeAt(secret, clock),
    });
    expect(verified.status).toBe(200);

    const mail = await theNotice(user.email, /a sign-in method was added/);
    expect(mail.text).toContain('A new sign-in method (an authenticator app) was added to your account.');
    expectToNameDeviceAndWhatToDo(mail, /Monday, 3 June 2030 at 14:05 UTC \(2030-06-03 14:05:00 UTC\)/);
    expect(smtp.to(user.email)).toHaveLength(1);
  });

  it('tells the owner that a factor was removed', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const removed = await call('DELETE', `/v1/me/factors/${user.factorId}`, user.token, { password: PASSWORD });
    expect(removed.status).toBe(204);

    const mail = await theNotice(user.email, /a sign-in method was removed/);
    expect(mail.text).toContain('A sign-in method (an authenticator app) was removed from your account.');
    expectToNameDeviceAndWhatToDo(mail, /UTC/);
  });

  it('tells the owner that their backup codes were regenerated', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    expect((await call('POST', '/v1/me/backup-codes', user.token)).status).toBe(201);

    const mail = await theNotice(user.email, /new backup codes were generated/);
    expect(mail.text).toContain('the previous ones no longer work');
    expectToNameDeviceAndWhatToDo(mail, /UTC/);
  });

  it('tells the owner that their password changed, with no secret in the mail', async () => {
    const user = await aUser(t.http, acme);
    const newPassword = 'a brand new passphrase, long enough';
    const changed = await call('POST', '/v1/me/password', user.token, { currentPassword: PASSWORD, newPassword });
    expect(changed.status).toBe(204);

    const mail = await theNotice(user.email, /your password was changed/);
    expectToNameDeviceAndWhatToDo(mail, /UTC/);
    expect(mail.text + mail.html).not.toContain(newPassword);
    expect(mail.text + mail.html).not.toContain(user.token);
    const outbox = await t.sql(`select * from outbox_messages where user_id = $1`, [user.id]);
    expect(outbox).toHaveLength(1);
    expect(Object.keys(outbox[0]).sort()).toEqual(
      ['created_at', 'delivered_at', 'id', 'kind', 'ref_id', 'relayed_at', 'tenant_id', 'user_id'].sort(),
    );
  });

  it("tells of an admin's MFA reset by its link mail, and of its completion once, as a reset", async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const requested = await t.http.request('POST', `/v1/admin/users/${user.id}/mfa-reset`, {
      token: acme.admin.token,
      headers: as(FIREFOX_ON_WINDOWS),
    });
    expect(requested.status).toBe(202);
    const linkMail = await smtp.nth(user.email, 1, 10_000, /reset your two-step sign-in/);
    expect(linkMail.text).toMatch(/An administrator of .* reset two-step sign-in for your account/);
    expect(linkMail.text).toMatch(/If you did not ask for this, tell your administrator/);
    const link = new URLSearchParams(new URL(/https?:\/\/\S+/.exec(linkMail.text)![0]).hash.slice(1)).get('token')!;
    const opened = await t.http.post('/v1/auth/mfa-reset', { token: link, password: PASSWORD });
    expect(opened.status).toBe(200);
    const resetToken = opened.body.token as string;
    const fresh = await enrolTotp(t.http, resetToken);
    const verified = await call('POST', `/v1/me/factors/${fresh.factorId}/verify`, resetToken, {
      code: totpCodeAt(fresh.secret, clock),
    });
    expect(verified.status).toBe(200);

    const mail = await theNotice(user.email, /your two-step sign-in was reset/);
    expect(mail.text).toMatch(/a new sign-in method \(an authenticator app\) replaced every earlier sign-in method/);
    expectToNameDeviceAndWhatToDo(mail, /UTC/);
    // One mail per change: the enrolment that completed the reset is not told a second time.
    expect(smtp.to(user.email, /a sign-in method was added/)).toHaveLength(1);
    expect(smtp.to(user.email)).toHaveLength(3);
  });

  it('tells each affected user when an admin forgets every device, naming who did it', async () => {
    const first = await aUserWithTotp(t.http, acme, clock);
    const second = await aUserWithTotp(t.http, acme, clock);
    const withoutFactor = await aUser(t.http, acme);
    // The admin has no factor of their own: the password alone confirms it.
    const forgot = await t.http.request('POST', '/v1/admin/mfa/forget-all-devices', {
      token: acme.admin.token,
      headers: as(CHROME_ON_MAC),
      body: { password: PASSWORD },
    });
    expect(forgot.status).toBe(200);

    for (const user of [first, second]) {
      const mail = await theNotice(user.email, /your sign-in methods were removed/);
      expect(mail.text).toMatch(/An administrator removed the sign-in methods/);
      expect(mail.text).toMatch(/Done by: an administrator of your organisation/);
      expect(mail.text).toMatch(/From: Chrome 131 on macOS/);
      expect(mail.text).toMatch(/If you did not expect this, contact your administrator/);
    }
    expect(smtp.to(withoutFactor.email)).toHaveLength(0);
  });

  it('tells a user once when the Disconnect API demands a step-up of their sessions', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    await signIn(t.http, acme.slug, user.email);
    const key = await t.http.post(
      '/v1/admin/api-keys',
      { name: 'siem', scopes: ['sessions:disconnect'] },
      acme.admin.token,
    );
    const disconnected = await t.http.request('POST', `/v1/admin/users/${user.id}/disconnect`, {
      token: key.body.key as string,
      body: { reason: 'SIEM: impossible travel' },
      headers: as(FIREFOX_ON_WINDOWS),
    });
    expect(disconnected.status).toBe(202);

    const mail = await theNotice(user.email, /please confirm it is you/);
    expect(mail.text).toContain('(reason given: SIEM: impossible travel)');
    expect(mail.text).toMatch(/Done by: an application of your organisation \(API key\)/);
    expect(mail.text).toMatch(/From: Firefox 133 on Windows 10, IP address (::ffff:)?127\.0\.0\.1/);
  });

  it('sends nothing for a step-up demanded of a user with no live session', async () => {
    const user = await aUser(t.http, acme);
    expect((await t.http.post('/v1/auth/logout', undefined, user.token)).status).toBe(204);
    const res = await t.http.post(`/v1/admin/users/${user.id}/disconnect`, { reason: 'routine' }, acme.admin.token);
    expect(res.status).toBe(202);
    await noticesDelivered();
    expect(smtp.to(user.email)).toHaveLength(0);
  });
});
