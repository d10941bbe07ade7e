import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Locator } from 'playwright-core';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { expectAccessible, launchBrowser, screenshots, sessionTokenOf } from '../support/browser.js';
import { SocketPool } from '../support/sockets.js';
import { PageSteps } from '../support/pages.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const STEP = 30_000;
/** A journey drives a browser through several pages: on a loaded CI machine that takes a while. */
const JOURNEY_MS = 120_000;

/**
 * The account pages in a real Chromium on the real stack: signing in with a password and a second factor,
 * the Security page, ending sessions from another device, and forms that refuse forgery.
 */
describe('account pages in a browser', () => {
  const clock = new ManualClock('2030-04-01T09:00:10Z');
  const sockets = new SocketPool();
  let t: TestApp;
  let acme: TenantFixture;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    sockets.closeAll();
    await browser?.close();
    await t?.close();
  });

  const steps = new PageSteps(() => t.http.baseUrl, clock);
  const { url } = steps;

  /** A user with a verified authenticator app and the backup codes its verification returned. */
  async function aUserWithTotp() {
    const user = await aUser(t.http, acme);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    const verified = await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock));
    expect(verified.status).toBe(200);
    clock.advance(STEP);
    return { ...user, secret, backupCodes: verified.body.backupCodes as string[] };
  }

  it(
    'signs in with a password and an authenticator code, and shows the Security page',
    async () => {
      const user = await aUserWithTotp();
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url(`/account/sign-in?tenant=${acme.slug}`));
      await expectAccessible(page);
      await screenshots(page, 'sign-in');
      await steps.signInWithPassword(page, acme, user.email);

      await page.waitForURL(url('/account/sign-in/verify'));
      await expect(page.getByRole('heading', { name: 'Verify it is you' }).isVisible()).resolves.toBe(true);
      const code = page.getByLabel(/6-digit code/);
      expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await code.getAttribute('inputmode')).toBe('numeric');
      await expectAccessible(page);
      await screenshots(page, 'verify');

      await code.fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/That code is not right/);
      // Focus moves to the error, so that a keyboard or screen-reader user hears it.
      await page.locator('#form-error:focus').waitFor();

      await page.getByLabel(/6-digit code/).fill(totpCodeAt(user.secret, clock));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(url('/account'));
      await expect(page.getByRole('heading', { name: 'Security', exact: true }).isVisible()).resolves.toBe(true);
      expect(await page.locator('main').innerText()).toMatch(/On\. Signing in asks for your password/);
      expect(await page.locator('main').innerText()).toMatch(/Authenticator app/);
      expect(await page.locator('main').innerText()).toMatch(/10 codes left/);
      await expectAccessible(page);
      await screenshots(page, 'security');
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'works from the keyboard alone: the skip link, signing in with a code, ending another session',
    async () => {
      const user = await aUserWithTotp();
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url(`/account/sign-in?tenant=${acme.slug}`));
      await page.keyboard.press('Tab');
      expect(await hasFocus(page.getByRole('link', { name: 'Skip to content' }))).toBe(true);
      await tabTo(page.getByLabel('E-mail address'));
      await page.keyboard.type(user.email);
      await tabTo(page.getByLabel('Password'));
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(url('/account/sign-in/verify'));
      await tabTo(page.getByLabel(/6-digit code/));
      await page.keyboard.type(totpCodeAt(user.secret, clock));
      await page.keyboard.press('Enter');
      await page.waitForURL(url('/account'));
      clock.advance(STEP);

      await tabTo(page.getByRole('link', { name: 'Sessions', exact: true }));
      await page.keyboard.press('Enter');
      await page.waitForURL(url('/account/sessions'));
      // The API session aUser opened is the other one.
      await tabTo(page.getByRole('link', { name: /End session/ }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'End this session?' }).waitFor();
      await tabTo(page.getByRole('button', { name: 'End session' }));
      await page.keyboard.press('Enter');
      await page.waitForURL(url('/account/sessions?done=revoked'));
      expect(await page.locator('ul.list > li').count()).toBe(1);
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'signs in with a backup code once; the same code is refused the second time',
    async () => {
      const user = await aUserWithTotp();
      const code = user.backupCodes[0]!;
      for (const expected of ['accepted', 'refused'] as const) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await steps.signInWithPassword(page, acme, user.email);
        await page.getByRole('link', { name: 'Backup code' }).click();
        await page.getByLabel('Backup code').fill(code);
        await page.getByRole('button', { name: 'Verify' }).click();
        if (expected === 'accepted') {
          await page.waitForURL(url('/account'));
          expect(await page.locator('main').innerText()).toMatch(/9 codes left/);
        } else {
          await expect(page.getByRole('alert').innerText()).resolves.toMatch(/not right|already been used/);
          expect(page.url()).toBe(url('/account/sign-in/verify'));
        }
        await context.close();
      }
    },
    JOURNEY_MS,
  );

  it(
    'says what went wrong on a bad password, keeping what was typed but the password',
    async () => {
      const user = await aUser(t.http, acme);
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url(`/account/sign-in?tenant=${acme.slug}`));
      await page.getByLabel('E-mail address').fill(user.email);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/do not match an account/);
      expect(await page.getByLabel('E-mail address').inputValue()).toBe(user.email);
      expect(await page.getByLabel('Password').inputValue()).toBe('');
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'lets one device end another: the other lands on sign-in and its live socket closes at once',
    async () => {
      const user = await aUser(t.http, acme);
      const [a, b] = [await browser.newContext(), await browser.newContext({ userAgent: FIREFOX_ON_WINDOWS })];
      const [pageA, pageB] = [await a.newPage(), await b.newPage()];
      await steps.signInWithPassword(pageA, acme, user.email);
      await pageA.waitForURL(url('/account'));
      await steps.signInWithPassword(pageB, acme, user.email);
      await pageB.waitForURL(url('/account'));
      // B's page holds a socket on its own session (through its cookie).
      await pageB.locator('body[data-live=connected]').waitFor();

      await pageA.getByRole('link', { name: 'Sessions', exact: true }).click();
      const items = pageA.locator('ul.list > li');
      // Each browser's own session and the API session aUser opened: this device first.
      await expect(items.first().innerText()).resolves.toMatch(/This device/);
      const onB = items.filter({ hasText: 'Firefox' });
      await expect(onB.innerText()).resolves.toMatch(/Firefox 128 on Windows 10/);
      await expectAccessible(pageA);
      await screenshots(pageA, 'sessions');

      await onB.getByRole('link', { name: /End session/ }).click();
      await expect(pageA.getByRole('heading', { name: 'End this session?' }).isVisible()).resolves.toBe(true);
      await expectAccessible(pageA);
      await pageA.getByRole('button', { name: 'End session' }).click();
      await pageA.waitForURL(url('/account/sessions?done=revoked'));
      expect(await pageA.locator('main').innerText()).not.toMatch(/Firefox/);
      // B hears it at once, without a click: its socket was closed with the revocation.
      const notice = pageB.getByRole('alert').filter({ hasText: 'You were signed out' });
      await notice.waitFor();
      await expectAccessible(pageB);
      await notice.getByRole('link', { name: 'Sign in again' }).click();
      await pageB.waitForURL(url('/account/sign-in'));
      await pageB.goto(url('/account'));
      expect(pageB.url()).toBe(url('/account/sign-in'));

      // Signing out every other session keeps this one.
      await pageA.getByRole('link', { name: 'Sign out all other sessions' }).click();
      await pageA.getByRole('button', { name: 'Sign out other sessions' }).click();
      await pageA.waitForURL(url('/account/sessions?done=others'));
      expect(await pageA.locator('ul.list > li').count()).toBe(1);
      expect(await t.http.get('/v1/me', user.token)).toMatchObject({ status: 401 });
      await Promise.all([a.close(), b.close()]);
    },
    JOURNEY_MS,
  );

  it(
    'refuses a form posted from another origin, or without its token, and audits it',
    async () => {
      const user = await aUser(t.http, acme);
      const context = await browser.newContext();
      const page = await context.newPage();
      await steps.signInWithPassword(page, acme, user.email);
      await page.waitForURL(url('/account'));
      const listed = async () => (await t.http.get('/v1/me/sessions', user.token)).body.sessions.length;
      const before = await listed();

      // A page on another origin (another port of the same host: same site, so the cookie goes along).
      const attacker = await serveForgery(url('/account/sessions/sign-out-others'));
      try {
        const response = await page.goto(attacker.url);
        await page.waitForURL(url('/account/sessions/sign-out-others'));
        expect(response).not.toBeNull();
        expect(await page.locator('main').innerText()).toMatch(/expired or was not sent from this site/);
      } finally {
        attacker.server.close();
      }
      // The same origin without the token.
      const cookie = `sg_session=${await sessionTokenOf(context)}`;
      const bare = await fetch(url('/account/sessions/sign-out-others'), {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
        redirect: 'manual',
      });
      expect(bare.status).toBe(403);
      // The right token, sent from another origin.
      await page.goto(url('/account/sessions/sign-out-others'));
      const token = await page.locator('input[name=_form]').first().inputValue();
      const crossOrigin = await fetch(url('/account/sessions/sign-out-others'), {
        method: 'POST',
        headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _form: token }).toString(),
        redirect: 'manual',
      });
      expect(crossOrigin.status).toBe(403);
      expect(await listed()).toBe(before);
      // The page's live socket takes the cookie only from our own origin: another site's WebSocket (which
      // the browser would send the cookie with) holds nothing.
      const fromHere = await sockets.connect(t.http.baseUrl, undefined, { cookie, origin: t.http.baseUrl });
      expect(fromHere.connected).toBe(true);
      for (const origin of ['http://evil.example', url('').replace('127.0.0.1', 'localhost')]) {
        await expect(sockets.refusal(t.http.baseUrl, undefined, { cookie, origin })).resolves.toBe('unauthorized');
      }
      await expect(sockets.refusal(t.http.baseUrl, undefined, { cookie })).resolves.toBe('unauthorized');
      const audit = await t.http.get('/v1/admin/audit?action=AccessDenied', acme.admin.token);
      expect(audit.body.events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ details: expect.objectContaining({ reason: 'form_forgery' }) }),
        ]),
      );
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'forbids inline script and framing, and never lets a page be cached',
    async () => {
      const res = await fetch(url('/account/sign-in'));
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/unsafe-inline/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');

      const page = await browser.newPage();
      await page.goto(url('/account/sign-in'));
      await page.addScriptTag({ content: 'window.inlineRan = true;' }).catch(() => undefined);
      expect(await page.evaluate('window.inlineRan === true')).toBe(false);
      // The stylesheet and the script are served under hashed names, cached for a year.
      const css = (await page.locator('link[rel=stylesheet]').getAttribute('href')) ?? '';
      expect(css).toMatch(/^\/assets\/stepguard\.[0-9a-f]{10}\.css$/);
      expect((await fetch(url(css))).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      await page.close();
    },
    JOURNEY_MS,
  );
});

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** A page on its own loopback port whose form posts itself to `target` as soon as it loads. */
async function serveForgery(target: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(
      `<form id="f" method="post" action="${target}"><input name="_form" value="guessed"></form>` +
        `<script>document.getElementById('f').submit()</script>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

async function hasFocus(target: Locator): Promise<boolean> {
  // Runs in the page, where `document` is the page's (the tests compile without the DOM's types).
  return target.evaluate(
    (element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
  );
}

/** Presses Tab until `target` has the focus, as a keyboard user would; fails if it never gets it. */
async function tabTo(target: Locator, most = 40): Promise<void> {
  for (let presses = 0; presses < most; presses++) {
    if (await hasFocus(target)) return;
    await target.page().keyboard.press('Tab');
  }
  throw new Error(`${String(target)} never had the focus after ${most} presses of Tab`);
}
