import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { expectAccessible, screenshots, sessionTokenOf } from '../support/browser.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { type AdminConsoleStack, PageSteps, startAdminConsoleStack } from '../support/pages.js';
import type { TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';

const STEP = 30_000;
/** A journey runs many pages, each checked by axe: minutes on a loaded machine, not the 30 s default. */
const TEST_TIMEOUT_MS = 180_000;

/**
 * The admin console's audit stream page as a console, in a real Chromium on the real stack (workers
 * included, so a sink really delivers to a receiver verifying every request with `standardwebhooks`):
 * adding a sink through its form, its secret shown once, test, pause, resume, rotate, remove, and who
 * may do any of it.
 */
describe('admin console: managing the audit stream, in a browser', () => {
  const clock = new ManualClock('2030-06-03T08:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  let browser: Browser;
  let stack: AdminConsoleStack;
  beforeAll(async () => {
    stack = await startAdminConsoleStack(clock);
    ({ t, tenant: acme, browser } = stack);
  }, 60_000);
  afterAll(() => stack?.close());

  const steps = new PageSteps(() => t.http.baseUrl, clock);
  const { url, main } = steps;
  const sinksOfApi = async () => (await t.http.get('/v1/admin/audit-streams', acme.admin.token)).body.sinks as any[];

  const signInAsAdmin = () => stack.signInAsAdmin();

  /** Waits until the receiver has taken (2xx) an item that `matches`, and returns it. */
  function received(receiver: WebhookReceiver, what: string, matches: (item: Record<string, unknown>) => boolean) {
    return waitUntil(() => receiver.items().find(matches), { what, wakeOn: receiver.onRequest, timeoutMs: 20_000 });
  }

  /** The formats the form offers, as the values of its radio buttons. */
  async function formatsOffered(page: Page): Promise<(string | null)[]> {
    const radios = await page.locator('input[name=format]').all();
    return Promise.all(radios.map((radio) => radio.getAttribute('value')));
  }

  /** Clicks a button that posts, and returns the status of the page that answered. */
  async function submit(page: Page, button: string): Promise<number | undefined> {
    const answered = page.waitForEvent('response', (r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: button }).click();
    const response = await answered;
    await page.waitForLoadState();
    return response.status();
  }

  it(
    'adds a webhook sink by its form, shows its secret once, delivers signed, tests, pauses, resumes, rotates and removes it',
    async () => {
      const receiver = await startWebhookReceiver();
      const { context, page } = await signInAsAdmin();
      const visited: string[] = [];
      page.on('request', (request) => visited.push(request.url()));
      try {
        await page.goto(url('/admin/audit-stream'));
        expect(await main(page)).toMatch(/No audit stream is configured/);
        await page.getByRole('link', { name: 'Add a destination' }).click();
        await page.waitForURL(url('/admin/audit-stream/new'));
        await expectAccessible(page);
        await page.getByRole('link', { name: 'Add a Webhook destination' }).click();
        await page.waitForURL(url('/admin/audit-stream/new?kind=webhook'));
        const formats = await formatsOffered(page);
        expect(formats).toEqual(['native', 'ocsf', 'ecs']);
        await expectAccessible(page);

        // A URL that is not one: refused in words, what was typed kept, the error focused.
        await page.getByLabel('Name').fill('SIEM webhook');
        await page.getByLabel('Receiver URL').fill('siem.example.com/hook');
        await page.getByLabel('Batch size').fill('5');
        expect(await submit(page, 'Add destination')).toBe(400);
        await expect(page.getByRole('alert').innerText()).resolves.toMatch(/full address, starting with https:\/\//);
        expect(await page.evaluate('document.activeElement.id')).toBe('form-error');
        expect(await page.getByLabel('Name').inputValue()).toBe('SIEM webhook');
        expect(await page.getByLabel('Receiver URL').inputValue()).toBe('siem.example.com/hook');
        expect(await page.getByLabel('Receiver URL').getAttribute('aria-invalid')).toBe('true');
        expect(await page.getByLabel('Batch size').inputValue()).toBe('5');
        await expectAccessible(page);
        await screenshots(page, 'admin-audit-stream-new-refused');
        expect(await sinksOfApi()).toEqual([]);

        await page.getByLabel('Receiver URL').fill(receiver.url);
        const shown = page.waitForEvent('response', (r) => r.url() === url('/admin/audit-stream/secret'));
        await page.getByRole('button', { name: 'Add destination' }).click();
        await page.waitForURL(url('/admin/audit-stream/secret'));
        expect((await shown).headers()['cache-control']).toBe('no-store');
        const secret = await page.getByLabel('Signing secret').inputValue();
        expect(secret).toMatch(/^whsec_/);
        expect(await main(page)).toMatch(/shown only this once/);
        await page.getByRole('button', { name: 'Copy' }).waitFor();
        await expectAccessible(page);
        await screenshots(page, 'admin-audit-stream-secret');

        // Never again: a reload finds nothing to show.
        await page.reload();
        await page.waitForURL(url('/admin/audit-stream?done=gone'));
        expect(await page.content()).not.toContain(secret);

        // The receiver, knowing only that secret, takes the chain: every request verified by standardwebhooks.
        receiver.secrets.push(secret);
        clock.advance(STEP);
        await received(receiver, 'the first audit event', (item) => item['seq'] === 1);
        const [sink] = await sinksOfApi();
        expect(sink).toMatchObject({ name: 'SIEM webhook', kind: 'webhook', batchSize: 5, state: 'active' });
        expect(receiver.problems).toEqual([]);

        await page.goto(url('/admin/audit-stream'));
        const card = page.locator('ul.sinks > li').filter({ hasText: 'SIEM webhook' });
        await expect(card.innerText()).resolves.toMatch(/SIEM webhook\s+Delivering/);
        expect(await page.content()).not.toContain(secret);
        await expectAccessible(page);

        // A test event: delivered; then one the receiver refuses, said in words.
        await card.getByRole('button', { name: /Send a test event/ }).click();
        await expect(page.locator('.test-result').innerText()).resolves.toMatch(
          /Delivered: “SIEM webhook” took the test event/,
        );
        await received(receiver, 'the test event', (item) => item['action'] === 'AuditStreamTest');
        receiver.answer = (r) => (r.items.some((i) => i['seq'] === 0) ? { status: 422 } : { status: 200 });
        await card.getByRole('button', { name: /Send a test event/ }).click();
        await expect(page.locator('.test-result').innerText()).resolves.toMatch(
          /Not delivered to “SIEM webhook”: the receiver refused it\. It said: .*422/,
        );
        await expectAccessible(page);
        await screenshots(page, 'admin-audit-stream-console');
        receiver.answer = () => ({ status: 200 });

        await card.getByRole('button', { name: /Pause/ }).click();
        await page.waitForURL(url('/admin/audit-stream?done=paused'));
        await expect(card.innerText()).resolves.toMatch(/SIEM webhook\s+Paused/);
        expect((await sinksOfApi())[0].state).toBe('paused');
        await card.getByRole('button', { name: /Resume/ }).click();
        await page.waitForURL(url('/admin/audit-stream?done=resumed'));
        await expect(card.innerText()).resolves.toMatch(/SIEM webhook\s+Delivering/);
        expect((await sinksOfApi())[0].state).toBe('active');

        // Rotation: a new secret, shown once; the receiver then knows only it, and what follows verifies.
        await card.getByRole('link', { name: /Rotate the signing secret/ }).click();
        await page.waitForURL(url(`/admin/audit-stream/${sink.id}/rotate`));
        expect(await page.getByLabel('Overlap (hours)').inputValue()).toBe('24');
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Rotate the secret' }).click();
        await page.waitForURL(url('/admin/audit-stream/secret'));
        const rotated = await page.getByLabel('Signing secret').inputValue();
        expect(rotated).toMatch(/^whsec_/);
        expect(rotated).not.toBe(secret);
        expect(await main(page)).toMatch(/keeps signing beside it for 24\s+hours/);
        await page.reload();
        await page.waitForURL(url('/admin/audit-stream?done=gone'));
        receiver.secrets.splice(0, receiver.secrets.length, rotated);
        await received(
          receiver,
          'the rotation, signed with the new secret',
          (i) => i['action'] === 'AuditSinkSecretRotated',
        );
        expect(receiver.problems).toEqual([]);

        await card.getByRole('link', { name: /Remove/ }).click();
        await page.waitForURL(url(`/admin/audit-stream/${sink.id}/delete`));
        await expect(page.getByRole('heading', { name: 'Remove this destination?' }).isVisible()).resolves.toBe(true);
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Remove destination' }).click();
        await page.waitForURL(url('/admin/audit-stream?done=deleted'));
        expect(await main(page)).toMatch(/No audit stream is configured/);
        expect(await sinksOfApi()).toEqual([]);

        expect(visited.filter((u) => u.includes(secret) || u.includes(rotated))).toEqual([]);
      } finally {
        await receiver.stop();
        await context.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a bad Splunk HEC field without echoing its token, and refuses a member every page and form',
    async () => {
      const { context, page } = await signInAsAdmin();
      const token = 'hec-token-7d1f0c52-never-shown';
      await page.goto(url('/admin/audit-stream/new?kind=splunk_hec'));
      await page.getByLabel('Name').fill('Splunk');
      await page.getByLabel('HEC URL').fill('https://splunk.example.com:8088/services/collector/event');
      await page.getByLabel('HEC token', { exact: true }).fill(token);
      await page.getByLabel('Index (optional)').fill('security');
      await page.getByLabel('Batch size').fill('5000');
      expect(await submit(page, 'Add destination')).toBe(400);
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/batch size must be a whole number from 1/);
      expect(await page.content()).not.toContain(token);
      expect(await page.getByLabel('HEC token', { exact: true }).inputValue()).toBe('');
      expect(await page.getByLabel('Index (optional)').inputValue()).toBe('security');
      expect(await page.getByLabel('HEC URL').inputValue()).toBe(
        'https://splunk.example.com:8088/services/collector/event',
      );
      await expectAccessible(page);
      await screenshots(page, 'admin-audit-stream-hec-refused');
      expect(await sinksOfApi()).toEqual([]);

      // Syslog's form carries CEF and its PEM fields in textareas.
      await page.goto(url('/admin/audit-stream/new?kind=syslog'));
      const formats = await formatsOffered(page);
      expect(formats).toEqual(['native', 'ocsf', 'cef']);
      expect(await page.getByLabel('Client private key (PEM)').evaluate((el) => el.tagName)).toBe('TEXTAREA');
      await expectAccessible(page);
      await context.close();

      const receiver = await startWebhookReceiver();
      try {
        const created = await t.http.post(
          '/v1/admin/audit-streams',
          { name: 'kept', kind: 'webhook', url: receiver.url },
          acme.admin.token,
        );
        expect(created.status).toBe(201);
        receiver.secrets.push(created.body.secret);
        const id = created.body.id as string;
        await expectMemberRefused(id);
        expect(await sinksOfApi()).toMatchObject([{ id, name: 'kept', state: 'active' }]);
      } finally {
        await receiver.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "answers another tenant's destination as a missing one, a malformed id with 400 and an oversized name with words",
    async () => {
      const other = await aTenant(t.http);
      const theirs = await t.http.post(
        '/v1/admin/audit-streams',
        { name: 'theirs', kind: 'webhook', url: 'http://127.0.0.1:9/hook', startAt: 'now' },
        other.admin.token,
      );
      expect(theirs.status).toBe(201);
      const id = theirs.body.id as string;
      const { context, page } = await signInAsAdmin();
      for (const path of [`/admin/audit-stream/${id}/delete`, `/admin/audit-stream/${id}/rotate`]) {
        const response = await page.goto(url(path));
        expect([path, response?.status()]).toEqual([path, 404]);
      }
      const malformed = await page.goto(url('/admin/audit-stream/not-an-id/delete'));
      expect(malformed?.status()).toBe(400);
      await page.goto(url('/admin/audit-stream'));
      const formToken = await page.locator('input[name=_form]').first().inputValue();
      const cookie = `sg_session=${await sessionTokenOf(context)}`;
      const post = (path: string, fields: Record<string, string> = {}) =>
        fetch(url(path), {
          method: 'POST',
          headers: { cookie, origin: t.http.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _form: formToken, ...fields }).toString(),
          redirect: 'manual',
        });
      for (const action of ['test', 'pause', 'resume', 'delete']) {
        const path = `/admin/audit-stream/${id}/${action}`;
        expect([path, (await post(path)).status]).toEqual([path, 404]);
      }
      expect([(await post(`/admin/audit-stream/${id}/rotate`, { overlapHours: '1' })).status]).toEqual([404]);
      const theirsNow = await t.http.get(`/v1/admin/audit-streams/${id}`, other.admin.token);
      expect(theirsNow.body).toMatchObject({ name: 'theirs', state: 'active', secretsInForce: 1 });

      const before = await sinksOfApi();
      const tooLong = await post('/admin/audit-stream/new', {
        kind: 'webhook',
        name: 'n'.repeat(70_000),
        url: 'http://127.0.0.1:9/hook',
      });
      expect(tooLong.status).toBe(400);
      expect(await tooLong.text()).toMatch(/Give the destination a name, up to 100 characters/);
      expect(await sinksOfApi()).toEqual(before);
      await context.close();
    },
    TEST_TIMEOUT_MS,
  );

  async function expectMemberRefused(id: string): Promise<void> {
    const member = await aUser(t.http, acme);
    const context = await browser.newContext();
    const page = await context.newPage();
    await steps.signInWithPassword(page, acme, member.email);
    await page.waitForURL(url('/account'));
    for (const path of [
      '/admin/audit-stream',
      '/admin/audit-stream/new',
      '/admin/audit-stream/new?kind=webhook',
      `/admin/audit-stream/${id}/rotate`,
      `/admin/audit-stream/${id}/delete`,
    ]) {
      const response = await page.goto(url(path));
      expect([path, response?.status()]).toEqual([path, 403]);
      expect(await main(page)).toMatch(/You do not have permission to do that/);
    }
    await expectAccessible(page);
    // Forms posted with the member's own valid token are refused all the same.
    await page.goto(url('/account/sessions'));
    const formToken = await page.locator('input[name=_form]').first().inputValue();
    const cookie = (await context.cookies()).find((c) => c.name === 'sg_session')!;
    const post = (path: string, fields: Record<string, string> = {}) =>
      fetch(url(path), {
        method: 'POST',
        headers: { cookie: `sg_session=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _form: formToken, ...fields }).toString(),
        redirect: 'manual',
      });
    const sneaky = { kind: 'webhook', name: 'sneaky', url: 'http://127.0.0.1:9/hook' };
    for (const [path, fields] of [
      ['/admin/audit-stream/new', sneaky],
      [`/admin/audit-stream/${id}/test`, {}],
      [`/admin/audit-stream/${id}/pause`, {}],
      [`/admin/audit-stream/${id}/rotate`, { overlapHours: '0' }],
      [`/admin/audit-stream/${id}/delete`, {}],
    ] as const) {
      expect([path, (await post(path, fields)).status]).toEqual([path, 403]);
    }
    await context.close();
  }
});
