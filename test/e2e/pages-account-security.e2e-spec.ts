import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { expectAccessible, launchBrowser, screenshots, sessionTokenOf } from '../support/browser.js';
import { setMfaPolicy } from '../support/policy.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { PageSteps } from '../support/pages.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const STEP = 30_000;
const MINUTE = 60_000;
const JOURNEY_MS = 120_000;
const NEW_PASSWORD = 'a different horse, battery and staple';
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/**
 * The account's security actions as pages, in a real Chromium on the real stack (workers and a test SMTP
 * server included): changing the password, stepping up after a Disconnect, removing a sign-in method,
 * new backup codes, the MFA-reset link and the user's own activity.
 */
describe('account security pages in a browser', () => {
  const clock = new ManualClock('2030-05-06T09:00:10Z');
  let smtp: TestSmtp;
  let t: TestApp;
  let acme: TenantFixture;
  let browser: Browser;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ clock, extra: [WorkersModule], env: { SMTP_URL: smtp.url } });
    acme = await aTenant(t.http);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  const steps = new PageSteps(() => t.http.baseUrl, clock);
  const { url, main } = steps;

  /** What a sign-in with this password and then this TOTP code answers through the API. */
  async function apiSignIn(email: string, password: string, totp?: { method: string; code: string }) {
    const login = await t.http.post('/v1/auth/login', { tenant: acme.slug, email, password });
    if (!totp || login.status !== 200) return login;
    return t.http.post(`/v1/auth/challenges/${login.body.challengeId}/verify`, totp);
  }

  it(
    'changes the password after a step-up, signs out the other sessions and mails the owner',
    async () => {
      const user = await aUserWithTotp(t.http, acme, clock);
      const [a, b] = [await browser.newContext(), await browser.newContext()];
      const [pageA, pageB] = [await a.newPage(), await b.newPage()];
      await steps.signInWithCode(pageA, acme, user.email, user.secret);
      await steps.signInWithCode(pageB, acme, user.email, user.secret);

      // Past the re-auth window, the page first asks for a code, then comes back.
      clock.advance(11 * MINUTE);
      await pageA.getByRole('link', { name: 'Change your password' }).click();
      await pageA.waitForURL(url('/account/step-up?next=%2Faccount%2Fpassword'));
      await expect(main(pageA)).resolves.toMatch(/confirm it is you before you continue/);
      await expectAccessible(pageA);
      await pageA.getByLabel(/6-digit code/).fill(totpCodeAt(user.secret, clock));
      await pageA.getByRole('button', { name: 'Verify' }).click();
      await pageA.waitForURL(url('/account/password'));
      clock.advance(STEP);

      const current = pageA.getByLabel('Current password');
      expect(await current.getAttribute('autocomplete')).toBe('current-password');
      expect(await pageA.getByLabel('New password', { exact: true }).getAttribute('autocomplete')).toBe('new-password');
      await expectAccessible(pageA);
      await screenshots(pageA, 'password');

      const submit = async (currentPassword: string, newPassword: string, confirm: string) => {
        await pageA.getByLabel('Current password').fill(currentPassword);
        await pageA.getByLabel('New password', { exact: true }).fill(newPassword);
        await pageA.getByLabel('New password again').fill(confirm);
        await pageA.getByRole('button', { name: 'Change password' }).click();
      };
      await submit(PASSWORD, NEW_PASSWORD, `${NEW_PASSWORD}!`);
      await expect(pageA.getByRole('alert').innerText()).resolves.toMatch(/are not the same/);
      await submit(PASSWORD, 'short', 'short');
      await expect(pageA.getByRole('alert').innerText()).resolves.toMatch(/at least 12 characters/);
      await submit('not my password at all', NEW_PASSWORD, NEW_PASSWORD);
      await expect(pageA.getByRole('alert').innerText()).resolves.toMatch(/not your current password/);
      await pageA.locator('#form-error:focus').waitFor();
      expect((await apiSignIn(user.email, PASSWORD)).status).toBe(200);

      await submit(PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
      await pageA.waitForURL(url('/account/password?done=1'));
      await expect(main(pageA)).resolves.toMatch(/Your password was changed/);

      // The other browser's session ended; this one goes on; only the new password signs in.
      await pageB.reload();
      expect(pageB.url()).toBe(url('/account/sign-in'));
      await pageA.goto(url('/account'));
      expect(pageA.url()).toBe(url('/account'));
      expect((await apiSignIn(user.email, PASSWORD)).body).toMatchObject({ code: 'invalid_credentials' });
      expect((await apiSignIn(user.email, NEW_PASSWORD)).body).toMatchObject({ status: 'mfa_required' });
      const notice = await smtp.nth(user.email, 1, 10_000, /your password was changed/);
      expect(notice.text).toMatch(/password/i);
      await Promise.all([a.close(), b.close()]);
    },
    JOURNEY_MS,
  );

  it(
    'sends a session a Disconnect flagged to the step-up page, and continues under a new token after a code',
    async () => {
      const user = await aUserWithTotp(t.http, acme, clock);
      const context = await browser.newContext();
      const page = await context.newPage();
      await steps.signInWithCode(page, acme, user.email, user.secret);
      const before = await sessionTokenOf(context);
      await page.locator('body[data-live=connected]').waitFor();

      const disconnected = await t.http.post(
        `/v1/admin/users/${user.id}/disconnect`,
        { reason: 'SIEM: impossible travel' },
        acme.admin.token,
      );
      expect(disconnected.status).toBe(202);
      // The open page hears it at once; its link and any other page lead to the step-up.
      const notice = page.getByRole('alert').filter({ hasText: 'verify it is you' });
      await notice.waitFor();
      expect(await notice.getByRole('link').getAttribute('href')).toBe('/account/step-up?next=%2Faccount');
      await page.goto(url('/account/sessions'));
      await page.waitForURL(url('/account/step-up'));
      await expect(main(page)).resolves.toMatch(/asked everyone signed in as you to confirm/);
      await expectAccessible(page);
      await screenshots(page, 'step-up');
      const code = page.getByLabel(/6-digit code/);
      expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await code.getAttribute('inputmode')).toBe('numeric');

      await code.fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/That code is not right/);
      expect((await t.http.get('/v1/me/sessions', before)).body).toMatchObject({ code: 'step_up_required' });

      await page.getByLabel(/6-digit code/).fill(totpCodeAt(user.secret, clock));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(url('/account'));
      await expect(page.getByRole('heading', { name: 'Security', exact: true }).isVisible()).resolves.toBe(true);
      const after = await sessionTokenOf(context);
      expect(after).not.toBe(before);
      expect((await t.http.get('/v1/me', before)).status).toBe(401);
      expect((await t.http.get('/v1/me/sessions', after)).status).toBe(200);
      await page.goto(url('/account/sessions'));
      expect(page.url()).toBe(url('/account/sessions'));
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'removes a sign-in method with proof, and refuses the last one the policy requires, saying why',
    async () => {
      const strict = await aTenant(t.http);
      const user = await aUser(t.http, strict);
      const phone = await enrolTotp(t.http, user.token, { label: 'Phone' });
      const first = await verifyFactor(t.http, user.token, phone.factorId, totpCodeAt(phone.secret, clock));
      expect(first.status).toBe(200);
      clock.advance(STEP);
      const fresh = await signInWithTotp(t.http, strict, { email: user.email, secret: phone.secret }, clock);
      const tablet = await enrolTotp(t.http, fresh, { label: 'Tablet' });
      expect((await verifyFactor(t.http, fresh, tablet.factorId, totpCodeAt(tablet.secret, clock))).status).toBe(200);
      clock.advance(STEP);
      await setMfaPolicy(t.http, strict, { requireMfa: true, requiredRoles: ['member'] });

      const context = await browser.newContext();
      const page = await context.newPage();
      await steps.signInWithCode(page, strict, user.email, phone.secret);
      await page.getByRole('link', { name: 'Remove Authenticator app (Phone)' }).click();
      await page.waitForURL(url(`/account/factors/${phone.factorId}/remove`));
      await expect(page.getByRole('heading', { name: 'Remove Authenticator app?' }).isVisible()).resolves.toBe(true);
      await expectAccessible(page);
      await screenshots(page, 'factor-remove');

      await page.getByLabel('Password').fill('not my password at all');
      await page.getByRole('button', { name: 'Remove', exact: true }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/not your password/);
      // A code of the other app proves it as well.
      await page.getByLabel(/6-digit code/).fill(totpCodeAt(tablet.secret, clock));
      await page.getByRole('button', { name: 'Remove with this code' }).click();
      await page.waitForURL(url('/account'));
      clock.advance(STEP);
      expect(await main(page)).not.toMatch(/Phone/);
      const me = await t.http.get('/v1/me', await sessionTokenOf(context));
      expect(me.body.mfa.factors.map((f: { id: string }) => f.id)).toEqual([tablet.factorId]);

      // The last one: the page says why it cannot go, and the command refuses it even when asked directly.
      await page.getByRole('link', { name: 'Remove Authenticator app (Tablet)' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(
        /Your organisation requires two-step verification, so this cannot be removed/,
      );
      expect(await page.getByLabel('Password').count()).toBe(0);
      await expectAccessible(page);
      const formToken = await page.locator('input[name=_form]').first().inputValue();
      const direct = await fetch(url(`/account/factors/${tablet.factorId}/remove`), {
        method: 'POST',
        headers: {
          cookie: `sg_session=${await sessionTokenOf(context)}`,
          origin: t.http.baseUrl,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ _form: formToken, proof: 'password', password: PASSWORD }).toString(),
        redirect: 'manual',
      });
      expect(direct.status).toBe(403);
      expect(await direct.text()).toMatch(/so this cannot be removed/);
      const still = await t.http.get('/v1/me', await sessionTokenOf(context));
      expect(still.body.mfa.factors.map((f: { id: string }) => f.id)).toEqual([tablet.factorId]);
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'makes new backup codes after a code, shows them once with Download, Copy and Print; only the new ones work',
    async () => {
      const created = await aUser(t.http, acme);
      const { factorId, secret } = await enrolTotp(t.http, created.token);
      const enrolled = await verifyFactor(t.http, created.token, factorId, totpCodeAt(secret, clock));
      const oldCodes = enrolled.body.backupCodes as string[];
      expect(oldCodes).toHaveLength(10);
      clock.advance(STEP);
      const user = { ...created, secret };
      const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
      const page = await context.newPage();
      await steps.signInWithCode(page, acme, user.email, user.secret);
      const before = await sessionTokenOf(context);

      await page.getByRole('link', { name: 'Make new backup codes' }).click();
      await page.waitForURL(url('/account/backup-codes/regenerate'));
      await expectAccessible(page);
      await screenshots(page, 'regenerate-backup-codes');
      // No backup code can stand in for the proof: only the user's real methods are offered.
      expect(await page.getByRole('link', { name: 'Backup code' }).count()).toBe(0);
      await page.getByLabel(/6-digit code/).fill('000000');
      await page.getByRole('button', { name: 'Make new codes' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/That code is not right/);
      expect(await page.locator('.regenerated-codes-list').count()).toBe(0);

      await page.getByLabel(/6-digit code/).fill(totpCodeAt(user.secret, clock));
      await page.getByRole('button', { name: 'Make new codes' }).click();
      await page.getByRole('heading', { name: 'Your new backup codes' }).waitFor();
      clock.advance(STEP);
      const codes = await page.locator('.regenerated-codes-list code').allInnerTexts();
      expect(codes).toHaveLength(10);
      await expectAccessible(page);
      await screenshots(page, 'backup-codes-regenerated');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('backup-codes.txt');
      const saved = readFileSync((await download.path())!, 'utf8');
      for (const code of codes) expect(saved).toContain(code);
      await page.getByRole('button', { name: 'Copy' }).click();
      await page.locator('[data-copy-status]', { hasText: 'Copied.' }).waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`${codes.join('\n')}\n`);
      await expect(page.getByRole('button', { name: 'Print' }).isVisible()).resolves.toBe(true);
      await page.emulateMedia({ media: 'print' });
      await expect(page.locator('header.top').isVisible()).resolves.toBe(false);
      await expect(page.getByRole('link', { name: 'Download' }).isVisible()).resolves.toBe(false);
      await expect(page.locator('.regenerated-codes-list').isVisible()).resolves.toBe(true);
      await page.emulateMedia({ media: 'screen' });

      // The code was a step-up: the session went on under a new token.
      expect((await t.http.get('/v1/me', before)).status).toBe(401);
      const signInWith = (code: string) =>
        apiSignIn(user.email, PASSWORD, { method: 'backup_code', code }).then((r) => r.status);
      expect(await signInWith(oldCodes[0]!)).toBe(401);
      expect(await signInWith(codes[0]!)).toBe(200);
      await smtp.nth(user.email, 1, 10_000, /new backup codes were generated/);
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'redeems an MFA-reset link without the token ever reaching a URL; the old factor works until a new one is set up',
    async () => {
      const user = await aUserWithTotp(t.http, acme, clock);
      expect((await t.http.post(`/v1/admin/users/${user.id}/mfa-reset`, undefined, acme.admin.token)).status).toBe(202);
      const mail = await smtp.nth(user.email, 1, 10_000, /reset your two-step sign-in/);
      const link = new URL(/https?:\/\/\S+/.exec(mail.text)![0]);
      expect(link.pathname).toBe('/account/mfa-reset');
      expect(link.search).toBe('');
      expect(link.hash).toMatch(/^#token=sgr_/);

      // Without a script the page cannot read the fragment: the user pastes the link, which works as well.
      const plain = await browser.newContext({ javaScriptEnabled: false });
      const plainPage = await plain.newPage();
      await plainPage.goto(url(`/account/mfa-reset${link.hash}`));
      await plainPage.getByLabel('The link from the e-mail').fill(link.toString());
      await plainPage.getByLabel('Password').fill('not my password at all');
      await plainPage.getByRole('button', { name: 'Continue' }).click();
      await expect(plainPage.getByRole('alert').innerText()).resolves.toMatch(/not your password/);
      await plain.close();

      const context = await browser.newContext();
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(url(`/account/mfa-reset${link.hash}`));
      // The script took the token into the form and out of the address bar.
      await page.waitForURL(url('/account/mfa-reset'));
      await expect(page.getByLabel('The link from the e-mail').isVisible()).resolves.toBe(false);
      await expectAccessible(page);
      await screenshots(page, 'mfa-reset');

      await page.getByLabel('Password').fill('not my password at all');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/not your password/);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(url('/account/mfa-reset/redeemed'));
      await expect(main(page)).resolves.toMatch(/current method keeps working until the new one is set up/);
      expect(await page.getByRole('link', { name: 'Set up a new method' }).getAttribute('href')).toBe(
        '/account/mfa/set-up',
      );
      await expectAccessible(page);
      expect(requested.filter((u) => u.includes('sgr_'))).toEqual([]);

      // Redeemed, nothing enrolled yet: the old authenticator still signs in.
      const oldCode = () => ({ method: 'totp', code: totpCodeAt(user.secret, clock) });
      expect((await apiSignIn(user.email, PASSWORD, oldCode())).status).toBe(200);
      clock.advance(STEP);

      // The reset session enrols a new one (the set-up pages are another slice's): only now the old one goes.
      const resetToken = await sessionTokenOf(context);
      const fresh = await enrolTotp(t.http, resetToken);
      const verified = await verifyFactor(t.http, resetToken, fresh.factorId, totpCodeAt(fresh.secret, clock));
      expect(verified.status).toBe(200);
      clock.advance(STEP);
      expect((await apiSignIn(user.email, PASSWORD, oldCode())).body).toMatchObject({ code: 'mfa_code_invalid' });
      clock.advance(STEP);
      const newCode = { method: 'totp', code: totpCodeAt(fresh.secret, clock) };
      expect((await apiSignIn(user.email, PASSWORD, newCode)).status).toBe(200);
      clock.advance(STEP);
      // The link was single use.
      await page.goto(url(`/account/mfa-reset${link.hash}`));
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/expired or was already used/);
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'lists the user’s own recent security events, and nobody else’s',
    async () => {
      const user = await aUser(t.http, acme);
      const other = await aUser(t.http, acme);
      const asFirefox = { 'user-agent': FIREFOX_ON_WINDOWS };
      await t.http.request('POST', '/v1/auth/login', {
        body: { tenant: acme.slug, email: other.email, password: PASSWORD },
        headers: asFirefox,
      });
      const otherChange = await t.http.request('POST', '/v1/me/password', {
        token: other.token,
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        headers: asFirefox,
      });
      expect(otherChange.status).toBe(204);

      const context = await browser.newContext();
      const page = await context.newPage();
      await steps.signInWithPassword(page, acme, user.email);
      await page.waitForURL(url('/account'));
      const changed = await t.http.post(
        '/v1/me/password',
        { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        await sessionTokenOf(context),
      );
      expect(changed.status).toBe(204);

      await page.getByRole('link', { name: 'See recent security events on your account' }).click();
      await page.waitForURL(url('/account/activity'));
      const rows = page.locator('ul.activity-list > li');
      await expect(rows.first().innerText()).resolves.toMatch(/Password changed/);
      const text = await main(page);
      expect(text).toMatch(/Signed in/);
      expect(text).not.toMatch(/Firefox/);
      const mine = await t.sql<{ seq: string }>(
        `select seq from audit_events where chain_key = $1
           and ((actor_type = 'user' and actor_id = $2) or (target_type = 'user' and target_id = $2))
         order by seq desc`,
        [acme.id, user.id],
      );
      expect(await rows.count()).toBe(mine.length);
      // Older pages by keyset: before the third newest entry come the rest, and a way back to the newest.
      await page.goto(url(`/account/activity?before=${mine[2]!.seq}`));
      expect(await rows.count()).toBe(mine.length - 3);
      await expect(page.getByRole('link', { name: 'Newest events' }).isVisible()).resolves.toBe(true);
      await page.getByRole('link', { name: 'Newest events' }).click();
      await expectAccessible(page);
      await screenshots(page, 'activity');
      await context.close();
    },
    JOURNEY_MS,
  );
});
