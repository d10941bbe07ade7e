import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { expectAccessible, launchBrowser, screenshots, sessionTokenOf } from '../support/browser.js';
import { PageSteps } from '../support/pages.js';
import { addVirtualAuthenticator, startPasskeyApp } from '../support/passkeys.js';
import { setMfaPolicy } from '../support/policy.js';
import type { TestApp } from '../support/test-app.js';

const MINUTE = 60_000;
const JOURNEY_MS = 120_000;

/**
 * Passkeys through the pages, in a real Chromium whose page has a CDP virtual authenticator: adding one on
 * the Security page (and the first backup codes), renaming it, signing in with it as the second step,
 * stepping up with it after a Disconnect, and removing it by the removal rules. The page's own script runs
 * the ceremonies, under the pages' CSP.
 */
describe('passkey pages in a browser', () => {
  const clock = new ManualClock('2030-05-07T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  let browser: Browser;
  let user: { id: string; email: string };
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    t = await startPasskeyApp(clock);
    acme = await aTenant(t.http);
    browser = await launchBrowser();
    user = await aUser(t.http, acme);
    context = await browser.newContext();
    page = await context.newPage();
    await addVirtualAuthenticator(context, page);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  // The relying party is the app's host name (localhost): the pages are opened there, not on 127.0.0.1.
  const steps = new PageSteps(() => t.config.publicUrl, clock);
  const { url, main } = steps;

  /** What `/v1/me` says of the session the browser holds. */
  async function me() {
    const answer = await t.http.get('/v1/me', await sessionTokenOf(context));
    expect(answer.status).toBe(200);
    return answer.body;
  }

  it(
    'adds a passkey on the Security page, shows the first backup codes, renames it and lists it',
    async () => {
      await steps.signInWithPassword(page, acme, user.email);
      await page.waitForURL(url('/account'));
      await expect(main(page)).resolves.toMatch(/You have no passkeys/);

      await page.getByLabel('Name of the new passkey').fill('Work laptop');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.waitForURL(url('/account/mfa/passkey'));
      const create = page.getByRole('button', { name: 'Create the passkey' });
      await create.waitFor();
      // The script is there: the words for a browser without one are hidden.
      await expect(page.getByText(/Passkeys need JavaScript/).isVisible()).resolves.toBe(false);
      await expectAccessible(page);
      await screenshots(page, 'passkeys-add');

      await create.click();
      await page.waitForURL(url('/account/mfa/backup-codes'));
      await page.getByLabel('I have saved these codes').check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(url('/account?added=backup_codes'));
      const passkeys = page.locator('section[aria-labelledby=passkeys-heading]');
      await expect(passkeys.innerText()).resolves.toMatch(/Passkey \(Work laptop\)/);
      // The page cookie followed the session to its new token (aal 2).
      const session = (await me()).session;
      expect(session.aal).toBe(2);
      expect(session.amr).toContain('webauthn');

      await passkeys.locator('summary').click();
      await passkeys.getByLabel('New name').fill('   ');
      await passkeys.getByLabel('New name').evaluate((field) => field.removeAttribute('required'));
      await passkeys.getByRole('button', { name: 'Save the name' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/Enter a name of 1 to 64 characters/);
      await expectAccessible(page);
      await page.getByLabel('New name').fill('Home laptop');
      await page.getByRole('button', { name: 'Rename' }).click();
      await page.waitForURL(url('/account?renamed=1'));
      await expect(passkeys.innerText()).resolves.toMatch(/Passkey \(Home laptop\)/);
      await expect(passkeys.innerText()).resolves.toMatch(/Last used/);
      await expectAccessible(page);
      await screenshots(page, 'passkeys');
      const factors = (await me()).mfa.factors;
      expect(factors).toEqual([expect.objectContaining({ type: 'webauthn', label: 'Home laptop' })]);
    },
    JOURNEY_MS,
  );

  it(
    'signs in with the password and the passkey as the second step',
    async () => {
      // A factor proves only to a session that began after it was added: the sign-in is a minute later.
      clock.advance(MINUTE);
      await steps.signOut(page);
      await steps.signInWithPassword(page, acme, user.email);
      await page.waitForURL(url('/account/sign-in/verify'));
      const use = page.getByRole('button', { name: 'Use your passkey' });
      await use.waitFor();
      await expect(page.getByLabel(/6-digit code/).count()).resolves.toBe(0);
      await expectAccessible(page);
      await screenshots(page, 'passkeys-sign-in');

      await use.click();
      await page.waitForURL(url('/account'));
      const session = (await me()).session;
      expect(session.amr).toEqual(expect.arrayContaining(['pwd', 'webauthn']));
    },
    JOURNEY_MS,
  );

  it(
    'says a browser without a script cannot use a passkey, and offers the other methods',
    async () => {
      const bare = await browser.newContext({ javaScriptEnabled: false });
      const other = await bare.newPage();
      await steps.signInWithPassword(other, acme, user.email);
      await other.waitForURL(url('/account/sign-in/verify'));
      await expect(main(other)).resolves.toMatch(/Passkeys need JavaScript/);
      await expect(other.getByRole('link', { name: 'Backup code' }).isVisible()).resolves.toBe(true);
      await bare.close();
    },
    JOURNEY_MS,
  );

  it(
    'says so in words, and stays, when the browser finds no passkey (another device)',
    async () => {
      const elsewhere = await browser.newContext();
      const other = await elsewhere.newPage();
      await addVirtualAuthenticator(elsewhere, other);
      await steps.signInWithPassword(other, acme, user.email);
      await other.waitForURL(url('/account/sign-in/verify'));
      await other.getByRole('button', { name: 'Use your passkey' }).click();
      await other
        .getByRole('status')
        .filter({ hasText: /prompt was closed|could not use a passkey/ })
        .waitFor();
      expect(other.url()).toBe(url('/account/sign-in/verify'));
      await expect(other.getByRole('button', { name: 'Use your passkey' }).isEnabled()).resolves.toBe(true);
      await expectAccessible(other);
      await elsewhere.close();
    },
    JOURNEY_MS,
  );

  it(
    'steps up with the passkey after a Disconnect, and goes on under a new token',
    async () => {
      const before = await sessionTokenOf(context);
      await page.locator('body[data-live=connected]').waitFor();
      const disconnected = await t.http.post(
        `/v1/admin/users/${user.id}/disconnect`,
        { reason: 'SIEM: impossible travel' },
        acme.admin.token,
      );
      expect(disconnected.status).toBe(202);
      const notice = page.getByRole('alert').filter({ hasText: 'verify it is you' });
      await notice.getByRole('link').click();
      await page.waitForURL(url('/account/step-up?next=%2Faccount'));
      await expect(main(page)).resolves.toMatch(/asked everyone signed in as you to confirm/);
      const use = page.getByRole('button', { name: 'Use your passkey' });
      await use.waitFor();
      await expectAccessible(page);
      await screenshots(page, 'passkeys-step-up');

      await use.click();
      await page.waitForURL(url('/account'));
      expect(await sessionTokenOf(context)).not.toBe(before);
      await expect(main(page)).resolves.toMatch(/Passkey \(Home laptop\)/);
    },
    JOURNEY_MS,
  );

  it(
    'signs in with the passkey alone, from the link an app gives, once the organisation allows it',
    async () => {
      await steps.signOut(page);
      const link = url(`/account/sign-in?tenant=${acme.slug}`);
      await page.goto(link);
      const alone = page.getByRole('button', { name: 'Sign in with a passkey' });
      await expect(alone.count()).resolves.toBe(0);

      await setMfaPolicy(t.http, acme, { passkeySignIn: true });
      await page.goto(link);
      await alone.waitFor();
      await expectAccessible(page);
      await screenshots(page, 'passkeys-sign-in-alone');
      await alone.click();
      await page.waitForURL(url('/account'));
      const session = (await me()).session;
      expect(session).toMatchObject({ aal: 2, amr: ['webauthn'] });
    },
    JOURNEY_MS,
  );

  it(
    'makes new backup codes, confirmed with the passkey',
    async () => {
      await page.goto(url('/account/backup-codes/regenerate'));
      const use = page.getByRole('button', { name: 'Use your passkey' });
      await use.waitFor();
      await expectAccessible(page);
      await use.click();
      await page.getByRole('heading', { name: 'Your new backup codes' }).waitFor();
      await expect(page.locator('main li').count()).resolves.toBe(10);
      expect((await me()).mfa.factors).toEqual([expect.objectContaining({ type: 'webauthn' })]);
      await page.goto(url('/account'));
    },
    JOURNEY_MS,
  );

  it(
    'removes the passkey after a step-up with it, confirmed with the passkey (a wrong password refused first)',
    async () => {
      // Outside the re-auth window: the removal first asks to verify, which the passkey does.
      clock.advance(11 * MINUTE);
      await page.getByRole('link', { name: 'Remove Passkey (Home laptop)' }).click();
      await page.waitForURL(url('/account/step-up?next=%2Faccount%2Ffactors%2F' + (await passkeyId()) + '%2Fremove'));
      await page.getByRole('button', { name: 'Use your passkey' }).click();
      await page.waitForURL(/\/account\/factors\/[0-9a-f-]{36}\/remove$/);
      const confirm = page.getByRole('button', { name: 'Remove with a passkey' });
      await confirm.waitFor();
      await expectAccessible(page);
      await screenshots(page, 'passkeys-remove');

      await page.getByLabel('Password', { exact: true }).fill('not my password');
      await page.getByRole('button', { name: 'Remove', exact: true }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/not your password/);
      await page.getByRole('button', { name: 'Remove with a passkey' }).click();
      await page.waitForURL(url('/account'));
      await expect(main(page)).resolves.toMatch(/You have no passkeys/);
      expect((await me()).mfa.factors).toEqual([]);
    },
    JOURNEY_MS,
  );

  async function passkeyId(): Promise<string> {
    const [factor] = (await me()).mfa.factors as { id: string }[];
    return factor!.id;
  }
});
