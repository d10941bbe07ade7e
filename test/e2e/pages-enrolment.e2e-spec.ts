import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jsQRModule from 'jsqr';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser } from '../support/builders.js';
import { expectAccessible, launchBrowser, screenshots, sessionTokenOf } from '../support/browser.js';
import { setMfaPolicy } from '../support/policy.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { PageSteps } from '../support/pages.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { totpCodeAt } from '../support/totp.js';

// CommonJS with `exports.default`: under ESM the default import is the whole exports object.
const jsQR = jsQRModule.default;

const STEP = 30_000;
const DAY = 24 * 60 * 60_000;
/** A whole journey: a dozen pages, each checked with axe, some saved as screenshots. */
const JOURNEY_MS = 180_000;

/**
 * Setting up two-step verification in a real Chromium on the real stack (workers and a real SMTP server):
 * the forced set-up of an overdue user with an authenticator app (QR code, key, first code, backup codes
 * shown once), e-mail codes, and a manager's grace period running out.
 */
describe('MFA enrolment pages in a browser', () => {
  const clock = new ManualClock('2030-05-06T09:00:10Z');
  let smtp: TestSmtp;
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ clock, extra: [WorkersModule], env: { SMTP_URL: smtp.url } });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  const steps = new PageSteps(() => t.http.baseUrl, clock);
  const { url, main } = steps;

  /** The otpauth URI in the page's QR image, read from its PNG as a phone's camera would. */
  async function qrCodeOf(page: Page): Promise<string> {
    const src = (await page.getByRole('img', { name: /QR code/ }).getAttribute('src')) ?? '';
    expect(src).toMatch(/^data:image\/png;base64,/);
    const png = PNG.sync.read(Buffer.from(src.slice(src.indexOf(',') + 1), 'base64'));
    const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    if (!found) throw new Error('no QR code in the image');
    return found.data;
  }

  /** The backup codes the page lists. */
  const codesOn = (page: Page) => page.locator('ol.codes code').allInnerTexts();

  /** Waits for the `n`th verification code mailed to `address` and returns it. */
  async function mailedCode(address: string, n: number): Promise<string> {
    const match = /Your code: (\d{6})/.exec((await smtp.nth(address, n, 10_000, /verification code/)).text);
    if (!match) throw new Error('no code in the mail');
    return match[1]!;
  }

  it(
    'forces an overdue user to set up an authenticator app, then signs in with it and with a downloaded backup code',
    async () => {
      const acme = await aTenant(t.http);
      await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 0 });
      const user = await aUser(t.http, acme);
      const context = await browser.newContext();
      const page = await context.newPage();

      // Signing in leads straight to the set-up page, and nothing else opens until it is done.
      await steps.signInWithPassword(page, acme, user.email);
      await page.waitForURL(url('/account/mfa/set-up'));
      await expect(page.getByRole('heading', { name: 'Set up two-step verification' }).isVisible()).resolves.toBe(true);
      expect(await main(page)).toMatch(/requires two-step verification, and the time to set it up has run out/);
      expect(await page.getByRole('button', { name: 'Set up an authenticator app' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Use e-mail codes' }).count()).toBe(1);
      await expectAccessible(page);
      await screenshots(page, 'mfa-set-up');
      await page.goto(url('/account/sessions'));
      expect(page.url()).toBe(url('/account/mfa/set-up'));

      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.waitForURL(url('/account/mfa/totp'));
      const key = (await page.locator('.secret-key code').innerText()).replace(/\s/g, '');
      expect(key).toMatch(/^[A-Z2-7]{32}$/);
      const otpauth = new URL(await qrCodeOf(page));
      expect(otpauth.protocol).toBe('otpauth:');
      expect(otpauth.searchParams.get('secret')).toBe(key);
      expect(decodeURIComponent(otpauth.pathname)).toContain(user.email);
      // The key is in no URL and in no cookie a script or a copy of the cookie could read.
      expect(page.url()).not.toContain(key);
      expect(JSON.stringify(await context.cookies())).not.toContain(key);
      const code = page.getByLabel('6-digit code');
      expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await code.getAttribute('inputmode')).toBe('numeric');
      await expect(page.getByRole('button', { name: 'Copy key' }).isVisible()).resolves.toBe(true);
      await expectAccessible(page);
      await screenshots(page, 'mfa-totp');
      const me = await t.http.get('/v1/me', await sessionTokenOf(context));
      expect(me.body.mfa).toMatchObject({ enrolled: false, status: 'overdue' });

      // A wrong code keeps the page (and the same key) for another try; the factor is not active.
      await code.fill('000000');
      await page.getByRole('button', { name: 'Verify and turn on' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/That code is not right/);
      expect((await page.locator('.secret-key code').innerText()).replace(/\s/g, '')).toBe(key);
      await page.reload();
      expect(new URL(await qrCodeOf(page)).searchParams.get('secret')).toBe(key);

      const tokenBefore = await sessionTokenOf(context);
      await page.getByLabel('6-digit code').fill(totpCodeAt(key, clock));
      await page.getByRole('button', { name: 'Verify and turn on' }).click();
      await page.waitForURL(url('/account/mfa/backup-codes'));
      // The first factor raised the session and replaced its token: the cookie holds the new one.
      const token = await sessionTokenOf(context);
      expect(token).not.toBe(tokenBefore);
      expect((await t.http.get('/v1/me', tokenBefore)).status).toBe(401);
      expect((await t.http.get('/v1/me', token)).body.mfa).toMatchObject({ enrolled: true, status: 'compliant' });

      const codes = await codesOn(page);
      expect(codes).toHaveLength(10);
      for (const c of codes) expect(c).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
      await expect(page.getByRole('button', { name: 'Copy' }).isVisible()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: 'Print' }).isVisible()).resolves.toBe(true);
      await expectAccessible(page);
      await screenshots(page, 'mfa-backup-codes');
      // Printed, the page is the codes and what they are for: no header, buttons or forms.
      await page.emulateMedia({ media: 'print' });
      await expect(page.locator('header.top').isVisible()).resolves.toBe(false);
      await expect(page.getByRole('button', { name: 'Continue' }).isVisible()).resolves.toBe(false);
      await expect(page.locator('ol.codes').isVisible()).resolves.toBe(true);
      await page.emulateMedia({ media: 'screen' });

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('stepguard-backup-codes.txt');
      const saved = (await readFile(await download.path(), 'utf8')).split(/\r?\n/);
      expect(saved).toEqual(expect.arrayContaining(codes));
      expect(saved.join('\n')).toContain(user.email);

      // Continue needs the acknowledgement, checked by the server too (the browser's check taken away).
      await page.locator('#saved').evaluate((box) => box.removeAttribute('required'));
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/I have saved these codes/);
      expect(await codesOn(page)).toEqual(codes);
      await page.getByLabel('I have saved these codes').check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(url('/account?added=backup_codes'));
      expect(await main(page)).toMatch(/On\. Signing in asks for your password/);
      expect(await main(page)).toMatch(/10 codes left/);
      await expectAccessible(page);
      // Shown once: the codes page is gone.
      await page.goto(url('/account/mfa/backup-codes'));
      expect(page.url()).toBe(url('/account'));
      await steps.signOut(page);

      clock.advance(STEP);
      await steps.signInWithPassword(page, acme, user.email);
      await page.waitForURL(url('/account/sign-in/verify'));
      await page.getByLabel(/6-digit code/).fill(totpCodeAt(key, clock));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(url('/account'));
      await steps.signOut(page);

      const backup = saved.find((line) => /^[0-9a-z]{5}-[0-9a-z]{5}$/.test(line))!;
      for (const expected of ['accepted', 'refused'] as const) {
        await steps.signInWithPassword(page, acme, user.email);
        await page.waitForURL(url('/account/sign-in/verify'));
        await page.getByRole('link', { name: 'Backup code' }).click();
        await page.getByLabel('Backup code').fill(backup);
        await page.getByRole('button', { name: 'Verify' }).click();
        if (expected === 'accepted') {
          await page.waitForURL(url('/account'));
          expect(await main(page)).toMatch(/9 codes left/);
          await steps.signOut(page);
        } else {
          await expect(page.getByRole('alert').innerText()).resolves.toMatch(/not right|already been used/);
          expect(page.url()).toBe(url('/account/sign-in/verify'));
        }
      }
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'sets up e-mail codes from the Security page, with the wait for another code, and signs in with one',
    async () => {
      const acme = await aTenant(t.http);
      const user = await aUser(t.http, acme);
      const context = await browser.newContext();
      const page = await context.newPage();
      await steps.signInWithPassword(page, acme, user.email);
      await page.waitForURL(url('/account'));
      expect(await main(page)).toMatch(/Off\./);
      await page.getByRole('link', { name: 'Set up two-step verification' }).click();
      await page.waitForURL(url('/account/mfa/set-up'));
      expect(await main(page)).not.toMatch(/run out/);
      await expectAccessible(page);

      await page.getByRole('button', { name: 'Use e-mail codes' }).click();
      await page.waitForURL(/\/account\/mfa\/email\/[0-9a-f-]{36}\?sent=1$/);
      expect(await main(page)).toMatch(new RegExp(`We sent a 6-digit code to ${user.email.replace(/\./g, '\\.')}`));
      const first = await mailedCode(user.email, 1);
      const code = page.getByLabel('6-digit code from the e-mail');
      expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await code.getAttribute('inputmode')).toBe('numeric');
      // Right after a code was sent, the script holds "send another code" for the API's wait.
      const resend = page.getByRole('button', { name: /Send another code/ });
      await expect(resend.isDisabled()).resolves.toBe(true);
      await expectAccessible(page);
      await screenshots(page, 'mfa-email');

      // Without the script the server holds it: asked too soon, it says how long is left.
      // (The form is sent as a browser without the script would: the countdown re-disables the button every second.)
      await resend.evaluate((button) => (button as unknown as { form: { submit(): void } }).form.submit());
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/Wait 60 seconds/);
      clock.advance(61_000);
      await page.getByRole('button', { name: 'Send another code' }).click();
      await page.waitForURL(/\?sent=1$/);
      const second = await mailedCode(user.email, 2);

      // The first code stopped working when the second was sent.
      await page.getByLabel('6-digit code from the e-mail').fill(first === second ? '000000' : first);
      await page.getByRole('button', { name: 'Verify and turn on' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/That code is not right/);
      await page.getByLabel('6-digit code from the e-mail').fill(second);
      await page.getByRole('button', { name: 'Verify and turn on' }).click();
      await page.waitForURL(url('/account/mfa/backup-codes'));
      expect(await codesOn(page)).toHaveLength(10);
      await page.getByLabel('I have saved these codes').check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(url('/account?added=backup_codes'));
      expect(await main(page)).toMatch(/On\./);
      expect(await main(page)).toMatch(/E-mail codes/);
      await expect(page.getByRole('link', { name: 'Add another method' }).isVisible()).resolves.toBe(true);
      const me = await t.http.get('/v1/me', await sessionTokenOf(context));
      expect(me.body.mfa.factors).toEqual([expect.objectContaining({ type: 'email' })]);
      await steps.signOut(page);

      await steps.signInWithPassword(page, acme, user.email);
      await page.waitForURL(url('/account/sign-in/verify'));
      if (!(await main(page)).includes('E-mail me a code'))
        await page.getByRole('link', { name: 'E-mail code' }).click();
      await page.getByRole('button', { name: 'E-mail me a code' }).click();
      await page.waitForURL(/method=email&sent=1/);
      await page.getByLabel(/6-digit code/).fill(await mailedCode(user.email, 3));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(url('/account'));
      expect((await t.http.get('/v1/me', await sessionTokenOf(context))).body.session.amr).toContain('email');
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'shows a manager in a grace period the deadline on every page, and forces set-up once it has passed',
    async () => {
      const acme = await aTenant(t.http);
      const manager = await aUser(t.http, acme, ['manager']);
      const savedAt = clock.now().getTime();
      await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['manager'], gracePeriodDays: 7 });
      const deadline = new Date(savedAt + 7 * DAY);
      clock.advance(2 * DAY);
      const context = await browser.newContext();
      const page = await context.newPage();
      await steps.signInWithPassword(page, acme, manager.email);
      await page.waitForURL(url('/account'));
      const expected = inWords(deadline);
      for (const path of ['/account', '/account/sessions']) {
        await page.goto(url(path));
        await expect(page.getByRole('status').first().innerText()).resolves.toContain(`Set it up before ${expected}`);
      }
      expect((await t.http.get('/v1/me', await sessionTokenOf(context))).body.mfa).toMatchObject({
        status: 'grace',
        deadline: deadline.toISOString(),
      });
      await page.goto(url('/account'));
      await page.getByRole('link', { name: 'Set up two-step verification' }).click();
      expect(await main(page)).toContain(`Set it up before ${expected}`);
      await expectAccessible(page);
      await context.close();

      clock.advance(5 * DAY + 60_000);
      const later = await browser.newContext();
      const again = await later.newPage();
      await steps.signInWithPassword(again, acme, manager.email);
      await again.waitForURL(url('/account/mfa/set-up'));
      expect(await main(again)).toMatch(/the time to set it up has run out/);
      await again.goto(url('/account'));
      expect(again.url()).toBe(url('/account/mfa/set-up'));
      await later.close();
    },
    JOURNEY_MS,
  );
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'];

/** A date as the pages write it: `13 May 2030, 09:00 UTC`. */
function inWords(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return `${day}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}
