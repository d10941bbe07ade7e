import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import type { Browser, Page } from 'playwright-core';
import { TakeAuditCheckpointsCommand } from '../../src/audit/index.js';
import { ManualClock } from '../../src/common/clock.js';
import { aUser, type TenantFixture } from '../support/builders.js';
import { expectAccessible, screenshots } from '../support/browser.js';
import { startWebhookReceiver } from '../support/stream-webhook-receiver.js';
import { type AdminConsoleStack, PageSteps, startAdminConsoleStack } from '../support/pages.js';
import type { TestApp } from '../support/test-app.js';
import { totpCodeAt } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const STEP = 30_000;
const MINUTE = 60_000;
/** A journey runs many pages, each checked by axe: minutes on a loaded machine, not the 30 s default. */
const TEST_TIMEOUT_MS = 180_000;

/**
 * The admin console's API keys, audit log and audit stream pages in a real Chromium on the real stack
 * (workers included, so a sink really delivers): what an admin sees and does, what the API then says, and
 * what a member is refused.
 */
describe('admin console: API keys, audit log, audit stream', () => {
  const clock = new ManualClock('2030-05-02T08:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  let adminSecret: string;
  let browser: Browser;
  let stack: AdminConsoleStack;
  beforeAll(async () => {
    stack = await startAdminConsoleStack(clock);
    ({ t, tenant: acme, adminSecret, browser } = stack);
  }, 60_000);
  afterAll(() => stack?.close());

  const steps = new PageSteps(() => t.http.baseUrl, clock);
  const { url, main } = steps;

  const signInAsAdmin = () => stack.signInAsAdmin();

  /** The seqs of the audit entries the page lists, in order. */
  async function listedSeqs(page: Page): Promise<number[]> {
    const texts = await page.locator('ol.audit-entries .entry-title .muted').allInnerTexts();
    return texts.map((text) => Number(/#(\d+)/.exec(text)![1]));
  }

  it(
    'creates an API key shown once after a fresh code, which works against the API until it is revoked',
    async () => {
      const member = await aUser(t.http, acme);
      const { context, page } = await signInAsAdmin();
      const visited: string[] = [];
      page.on('request', (request) => visited.push(request.url()));

      await page.getByRole('link', { name: 'Admin console' }).waitFor();
      await page.goto(url('/admin/api-keys'));
      await expect(page.getByRole('heading', { name: 'API keys', exact: true }).isVisible()).resolves.toBe(true);
      expect(await main(page)).toMatch(/There are no API keys/);
      await expectAccessible(page);

      await page.getByRole('link', { name: 'Create an API key' }).click();
      await page.waitForURL(url('/admin/api-keys/new'));
      await expectAccessible(page);
      // Past the re-auth window (10 minutes): the API would answer reauth_required, and so does the form.
      clock.advance(11 * MINUTE);
      await page.getByLabel('Name').fill('SIEM disconnects');
      await page.getByLabel(/sessions:disconnect/).check();
      await page.getByRole('button', { name: 'Create key' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/confirm it is you with a code/);
      expect(await page.getByLabel('Name').inputValue()).toBe('SIEM disconnects');
      expect(await page.getByLabel(/sessions:disconnect/).isChecked()).toBe(true);
      const code = page.getByLabel('Code', { exact: true });
      expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await code.getAttribute('inputmode')).toBe('numeric');
      await expectAccessible(page);
      expect((await t.http.get('/v1/admin/api-keys', acme.admin.token)).body.apiKeys).toEqual([]);

      await code.fill('000000');
      await page.getByRole('button', { name: 'Create key' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/That code is not right/);
      await page.getByLabel('Code', { exact: true }).fill(totpCodeAt(adminSecret, clock));
      const shown = page.waitForEvent('response', (r) => r.url() === url('/admin/api-keys/created'));
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.waitForURL(url('/admin/api-keys/created'));
      expect((await shown).headers()['cache-control']).toBe('no-store');
      const key = await page.getByLabel('API key').inputValue();
      expect(key).toMatch(/^sgk_/);
      expect(await main(page)).toMatch(/shown only\s+this once/);
      await page.getByRole('button', { name: 'Copy' }).waitFor();
      await expectAccessible(page);
      await screenshots(page, 'admin-api-key-created');
      expect(visited.filter((u) => u.includes(key))).toEqual([]);

      // The key works for what its scope allows, and for nothing else.
      const disconnect = await t.http.post(`/v1/admin/users/${member.id}/disconnect`, { reason: 'SIEM alert' }, key);
      expect(disconnect.status).toBe(202);
      expect((await t.http.get('/v1/admin/audit', key)).status).toBe(403);

      // Never shown again: not after leaving, not on Back, not on a reload.
      await page.getByRole('link', { name: 'I have saved the key' }).click();
      await page.waitForURL(url('/admin/api-keys'));
      await page.goBack();
      await page.waitForURL(url('/admin/api-keys?done=gone'));
      expect(await page.content()).not.toContain(key);
      expect(await main(page)).toMatch(/shown only once, and it has been shown/);
      await page.goto(url('/admin/api-keys/created'));
      await page.reload();
      await page.waitForURL(url('/admin/api-keys?done=gone'));
      expect(await page.content()).not.toContain(key);

      const listed = page.locator('ul.api-keys > li');
      await expect(listed.innerText()).resolves.toMatch(/SIEM disconnects[\s\S]*sessions:disconnect/);
      await expect(listed.innerText()).resolves.toMatch(/Last used\s+\d/);
      await expectAccessible(page);
      await screenshots(page, 'admin-api-keys');

      await listed.getByRole('link', { name: /Revoke/ }).click();
      await expect(page.getByRole('heading', { name: 'Revoke this API key?' }).isVisible()).resolves.toBe(true);
      await expectAccessible(page);
      await page.getByRole('button', { name: 'Revoke key' }).click();
      await page.waitForURL(url('/admin/api-keys?done=revoked'));
      expect(await main(page)).toMatch(/There are no API keys/);
      const refused = await t.http.post(`/v1/admin/users/${member.id}/disconnect`, { reason: 'again' }, key);
      expect(refused.status).toBe(401);
      await context.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lists the audit log with filters and pages both ways, and says whether the chain is intact',
    async () => {
      const { context, page } = await signInAsAdmin();
      await page.goto(url('/admin/audit'));
      await expect(page.getByRole('heading', { name: 'Audit log', exact: true }).isVisible()).resolves.toBe(true);
      const all = await main(page);
      expect(all).toMatch(/API key created/);
      expect(all).toMatch(/API key revoked/);
      expect(all).toMatch(new RegExp(`User ${acme.admin.email.replace(/[.]/g, '\\.')}`));
      expect(all).not.toMatch(/\{"/);
      await expectAccessible(page);
      await screenshots(page, 'admin-audit');

      // Filter by action: the refused attempt (no fresh code) and the creation.
      await page.getByLabel('Action').selectOption('ApiKeyCreated');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/action=ApiKeyCreated/);
      const entries = page.locator('ol.audit-entries > li');
      expect(await entries.count()).toBe(2);
      await expect(entries.nth(0).innerText()).resolves.toMatch(/API key created\s*Failed/);
      await expect(entries.nth(1).innerText()).resolves.toMatch(/API key created\s*Succeeded[\s\S]*SIEM disconnects/);
      await expect(entries.nth(1).innerText()).resolves.toMatch(/Scopes\s+sessions:disconnect/);
      await page.getByLabel('Action').selectOption('ApiKeyRevoked');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/action=ApiKeyRevoked/);
      expect(await entries.count()).toBe(1);
      await expect(entries.innerText()).resolves.toMatch(/API key revoked[\s\S]*Target\s+api key/);

      // The page size from the form; then pages of 5, forward and back, the same as the API's.
      await page.getByRole('link', { name: 'Clear filters' }).click();
      await page.waitForURL(url('/admin/audit'));
      await page.getByLabel('Entries per page').selectOption('10');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/limit=10/);
      expect(await listedSeqs(page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const api = async (after?: number) =>
        (await t.http.get(`/v1/admin/audit?limit=5${after ? `&after=${after}` : ''}`, acme.admin.token)).body;
      const seqsOf = (body: { events: { seq: number }[] }) => body.events.map((e) => e.seq);
      const first = await api();
      const second = await api(first.nextCursor);
      const third = await api(second.nextCursor);
      expect(seqsOf(third)).toEqual([11, 12, 13, 14, 15]);
      await page.goto(url('/admin/audit?limit=5'));
      expect(await listedSeqs(page)).toEqual(seqsOf(first));
      expect(await page.getByRole('link', { name: 'Previous page' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.waitForURL(url('/admin/audit?limit=5&after=5&back=0'));
      expect(await listedSeqs(page)).toEqual(seqsOf(second));
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.waitForURL(url('/admin/audit?limit=5&after=10&back=0.5'));
      expect(await listedSeqs(page)).toEqual(seqsOf(third));
      await page.getByRole('link', { name: 'Previous page' }).click();
      await page.waitForURL(url('/admin/audit?limit=5&after=5&back=0'));
      expect(await listedSeqs(page)).toEqual(seqsOf(second));
      await page.getByRole('link', { name: 'Previous page' }).click();
      await page.waitForURL(url('/admin/audit?limit=5'));
      expect(await listedSeqs(page)).toEqual(seqsOf(first));

      // The chain and a fresh signed checkpoint verify.
      const [head] = await t.sql<{ last_seq: string }>('select last_seq from audit_chains where chain_key = $1', [
        acme.id,
      ]);
      await t.app.get(CommandBus).execute(new TakeAuditCheckpointsCommand({ kind: 'chain', chainKey: acme.id }));
      await page.getByRole('link', { name: 'Verify the log now' }).click();
      await page.waitForURL(url('/admin/audit/verification'));
      const verified = await main(page);
      expect(verified).toMatch(new RegExp(`Verified\\. The audit log is intact up to seq\\s+${head!.last_seq}`));
      expect(verified).toMatch(/newest, #\d+, covers seq/);
      await expectAccessible(page);
      await screenshots(page, 'admin-audit-verification');

      // An entry edited in SQL (as only a database superuser could) shows at once.
      const where = 'where chain_key = $1 and seq = 3';
      await tamper(`update audit_events set details = details || '{"edited":true}' ${where}`, [acme.id]);
      try {
        await page.getByRole('link', { name: 'Verify again' }).click();
        await expect(page.getByRole('alert').innerText()).resolves.toMatch(
          /Verification failed\. The log is broken at seq 3: An event was changed after it was recorded/,
        );
        await expectAccessible(page);
      } finally {
        await tamper(`update audit_events set details = details - 'edited' ${where}`, [acme.id]);
      }
      await page.reload();
      expect(await main(page)).toMatch(/Verified\./);
      await context.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says when no audit stream is set up, and shows a sink and its delivery without its secret',
    async () => {
      const { context, page } = await signInAsAdmin();
      await page.goto(url('/admin/audit-stream'));
      expect(await main(page)).toMatch(/No audit stream is configured/);
      expect(await main(page)).toMatch(/docs\/audit-stream-receivers\.md/);
      await expectAccessible(page);

      const receiver = await startWebhookReceiver();
      try {
        const created = await t.http.post(
          '/v1/admin/audit-streams',
          { name: 'Splunk via webhook', kind: 'webhook', url: `${receiver.url}?token=query-credential` },
          acme.admin.token,
        );
        expect(created.status).toBe(201);
        receiver.secrets.push(created.body.secret);
        // A first try that beat the secret to the receiver was refused; its backoff (a second at most) runs on
        // the injected clock.
        clock.advance(STEP);
        const sinkId = created.body.id as string;
        const delivered = await waitUntil(() => t.http.get(`/v1/admin/audit-streams/${sinkId}`, acme.admin.token), {
          what: 'the chain delivered to the sink',
          until: (res) => res.body.deliveredSeq > 0 && res.body.lagEvents === 0,
          timeoutMs: 20_000,
        });

        await page.reload();
        const text = await main(page);
        expect(text).toMatch(/Splunk via webhook\s+Delivering/);
        expect(text).toMatch(/Type\s+Webhook/);
        expect(text).toMatch(/Stepguard JSON/);
        expect(text).toContain(`http://127.0.0.1:${receiver.port}/siem/hook?…`);
        expect(text).toMatch(new RegExp(`Delivered up to\\s+seq ${delivered.body.deliveredSeq}`));
        expect(text).toMatch(/Behind by\s+nothing: up to\s+date/);
        const html = await page.content();
        expect(html).not.toContain(created.body.secret);
        expect(html).not.toContain('query-credential');
        await expectAccessible(page);
        await screenshots(page, 'admin-audit-stream');
      } finally {
        await receiver.stop();
      }
      await context.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'gives a member the forbidden page on each of these pages, and refuses their forms',
    async () => {
      const member = await aUser(t.http, acme);
      const context = await browser.newContext();
      const page = await context.newPage();
      await steps.signInWithPassword(page, acme, member.email);
      await page.waitForURL(url('/account'));
      expect(await page.getByRole('link', { name: 'Admin console' }).count()).toBe(0);

      for (const path of [
        '/admin/api-keys',
        '/admin/api-keys/new',
        '/admin/audit',
        '/admin/audit?action=ApiKeyCreated',
        '/admin/audit/verification',
        '/admin/audit-stream',
      ]) {
        const response = await page.goto(url(path));
        expect([path, response?.status()]).toEqual([path, 403]);
        expect(await main(page)).toMatch(/You do not have permission to do that/);
        await expectAccessible(page);
      }
      // A form posted with the member's own valid token is refused all the same.
      await page.goto(url('/account/sessions'));
      const token = await page.locator('input[name=_form]').first().inputValue();
      const cookie = (await context.cookies()).find((c) => c.name === 'sg_session')!;
      const posted = await fetch(url('/admin/api-keys/new'), {
        method: 'POST',
        headers: { cookie: `sg_session=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _form: token, name: 'sneaky', scopes: 'tenant:manage' }).toString(),
        redirect: 'manual',
      });
      expect(posted.status).toBe(403);
      expect((await t.http.get('/v1/admin/api-keys', acme.admin.token)).body.apiKeys).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT_MS,
  );

  /** What a database superuser could do: the append-only trigger stops everyone else. */
  async function tamper(sql: string, params: unknown[]): Promise<void> {
    await t.sql('alter table audit_events disable trigger audit_events_append_only');
    try {
      await t.sql(sql, params);
    } finally {
      await t.sql('alter table audit_events enable trigger audit_events_append_only');
    }
  }
});
