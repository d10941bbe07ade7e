import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { expectAccessible, launchBrowser, screenshots } from '../support/browser.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { nextDisconnect, SocketPool } from '../support/sockets.js';
import { PageSteps } from '../support/pages.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const STEP = 30_000;
const DAY = 24 * 60 * 60_000;
/** How the pages write a time (PageRenderer's `date` helper). */
const pageDate = (d: Date) =>
  `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(d)} UTC`;

/** A tenant whose admin has an authenticator app (what confirming a weaker policy asks a code of). */
interface Org {
  tenant: TenantFixture;
  /** The admin's API session, raised to aal 2 by the factor. */
  adminToken: string;
  adminSecret: string;
}

/**
 * The admin console's MFA policy and users pages in a real Chromium on the real stack (workers and a test
 * SMTP server included): the policy with its preview and the confirmation of a weaker one, the users list
 * with its filter and CSV export, a user's page (sessions, Disconnect, Reset MFA), forgetting every
 * device, and who may open what.
 */
describe('admin console: MFA policy and users, in a browser', () => {
  const clock = new ManualClock('2030-05-01T09:00:10Z');
  const sockets = new SocketPool();
  let smtp: TestSmtp;
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ clock, extra: [WorkersModule], env: { SMTP_URL: smtp.url } });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    sockets.closeAll();
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  const steps = new PageSteps(() => t.http.baseUrl, clock);
  const { url } = steps;
  const main = (page: Page) => page.locator('main').innerText();

  async function anOrg(): Promise<Org> {
    const tenant = await aTenant(t.http);
    const { factorId, secret } = await enrolTotp(t.http, tenant.admin.token);
    const verified = await verifyFactor(t.http, tenant.admin.token, factorId, totpCodeAt(secret, clock));
    expect(verified.status).toBe(200);
    clock.advance(STEP);
    // The factor raised the admin's session to aal 2 under a new token: the builders use the fixture's.
    const adminToken = verified.body.token as string;
    return { tenant: { ...tenant, admin: { ...tenant.admin, token: adminToken } }, adminToken, adminSecret: secret };
  }

  async function setPolicy(org: Org, changes: object): Promise<void> {
    const current = (await t.http.get('/v1/admin/mfa-policy', org.adminToken)).body;
    const { version: _v, updatedAt: _a, updatedBy: _b, ...settings } = current;
    const saved = await t.http.put('/v1/admin/mfa-policy', { ...settings, ...changes }, org.adminToken);
    expect(saved.status).toBe(200);
  }

  const policyOf = async (org: Org) => (await t.http.get('/v1/admin/mfa-policy', org.adminToken)).body;

  /** The admin signed in through the pages, in a browser context of their own. */
  async function adminPage(org: Org): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await steps.signInWithCode(page, org.tenant, org.tenant.admin.email, org.adminSecret);
    return { context, page };
  }

  it('requires MFA for managers with a 7-day grace after a preview; a manager sees the deadline, then must set up', async () => {
    const org = await anOrg();
    const manager = await aUser(t.http, org.tenant, ['manager']);
    await aUser(t.http, org.tenant, ['member']);
    const { context, page } = await adminPage(org);

    await page.goto(url('/admin'));
    await page.waitForURL(url('/admin/policy'));
    await expect(page.getByRole('heading', { name: 'MFA policy' }).isVisible()).resolves.toBe(true);
    expect(await page.getByLabel('Require two-step verification').isChecked()).toBe(false);
    await expectAccessible(page);
    await screenshots(page, 'admin-policy');

    await page.getByLabel('Require two-step verification').check();
    await page.getByRole('group', { name: 'Who must use it' }).getByLabel('Managers').check();
    await page.getByLabel('Grace period (days)').fill('7');
    expect(await page.getByLabel(/Reminder e-mails/).inputValue()).toBe('7, 1');
    await page.getByLabel(/Reminder e-mails/).fill('0, 3');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/Reminders take up to five different numbers/);
    await page.getByLabel(/Reminder e-mails/).fill(' 2, 5 ');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'If you save this policy' });
    const deadline = pageDate(new Date(clock.now().getTime() + 7 * DAY));
    await expect(preview.innerText()).resolves.toMatch(
      `1 user in scope, 1 not enrolled, earliest deadline ${deadline}.`,
    );
    // The form keeps what was entered, and nothing is saved by a preview.
    expect(await page.getByRole('group', { name: 'Who must use it' }).getByLabel('Managers').isChecked()).toBe(true);
    expect(await page.getByLabel('Grace period (days)').inputValue()).toBe('7');
    expect((await policyOf(org)).requireMfa).toBe(false);
    await expectAccessible(page);
    await screenshots(page, 'admin-policy-preview');

    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.waitForURL(url('/admin/policy?done=saved'));
    await expect(page.getByRole('status').first().innerText()).resolves.toMatch(/The policy was saved/);
    expect(await page.getByLabel('Require two-step verification').isChecked()).toBe(true);
    expect(await policyOf(org)).toMatchObject({
      requireMfa: true,
      requiredRoles: ['manager'],
      gracePeriodDays: 7,
      reminderDays: [5, 2],
      version: 1,
    });
    expect(await page.getByLabel(/Reminder e-mails/).inputValue()).toBe('5, 2');
    await context.close();

    // The manager sees the deadline the preview announced; once it has passed, signing in leads to the set-up.
    const managerContext = await browser.newContext();
    const managerPage = await managerContext.newPage();
    await steps.signInWithPassword(managerPage, org.tenant, manager.email);
    await managerPage.waitForURL(url('/account'));
    await expect(managerPage.getByRole('status').first().innerText()).resolves.toContain(
      `Set it up before ${deadline}`,
    );
    await managerContext.close();
    clock.advance(7 * DAY + 60_000);
    const overdueContext = await browser.newContext();
    const overduePage = await overdueContext.newPage();
    await steps.signInWithPassword(overduePage, org.tenant, manager.email);
    await overduePage.waitForURL(url('/account/mfa/set-up'));
    await expect(steps.main(overduePage)).resolves.toMatch(/the time to set it up has run out/);
    await overdueContext.close();
  }, 120_000);

  it('asks for the password and a code before turning MFA off, refuses without them, saves with them', async () => {
    const org = await anOrg();
    await setPolicy(org, { requireMfa: true, requiredRoles: ['manager'], gracePeriodDays: 7 });
    const { context, page } = await adminPage(org);
    await page.goto(url('/admin/policy'));
    await page.getByLabel('Require two-step verification').uncheck();
    await page.getByRole('button', { name: 'Save policy' }).click();

    await expect(page.getByRole('heading', { name: 'Confirm the policy change' }).isVisible()).resolves.toBe(true);
    expect(await main(page)).toMatch(/Two-step verification will no longer be required\./);
    const code = page.getByLabel('Authenticator app: 6-digit code');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    await expectAccessible(page);

    // Without the password and code: refused, nothing saved.
    await page.getByRole('button', { name: 'Save the weaker policy' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/Enter your password/);
    await page.locator('#form-error:focus').waitFor();
    expect((await policyOf(org)).requireMfa).toBe(true);
    // A wrong code: refused, nothing saved.
    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByLabel('Authenticator app: 6-digit code').fill('000000');
    await page.getByRole('button', { name: 'Save the weaker policy' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/That code is not right/);
    expect((await policyOf(org)).requireMfa).toBe(true);

    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByLabel('Authenticator app: 6-digit code').fill(totpCodeAt(org.adminSecret, clock));
    await page.getByRole('button', { name: 'Save the weaker policy' }).click();
    await page.waitForURL(url('/admin/policy?done=saved'));
    expect(await policyOf(org)).toMatchObject({ requireMfa: false, requiredRoles: ['manager'], version: 2 });
    const audit = await t.http.get('/v1/admin/audit?action=PolicyChanged', org.adminToken);
    expect(audit.body.events.at(-1).details).toMatchObject({
      weakenings: ['requireMfa'],
      confirmedWith: ['password', 'totp'],
    });
    await context.close();
  }, 120_000);

  it('marks users without MFA, filters them, and exports the same rows as CSV', async () => {
    const org = await anOrg();
    await setPolicy(org, { requireMfa: true, requiredRoles: [], gracePeriodDays: 7 });
    const enrolled = await aUserWithTotp(t.http, org.tenant, clock);
    const manager = await aUser(t.http, org.tenant, ['manager']);
    // A spreadsheet would run this address as a formula.
    const formula = await aUser(t.http, org.tenant, ['member'], `-1+1@${org.tenant.slug}.example`);
    const { context, page } = await adminPage(org);

    await page.goto(url('/admin'));
    await page.waitForURL(url('/admin/policy'));
    await page.getByRole('navigation', { name: 'Admin console' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(url('/admin/users'));
    const rows = page.locator('table.users tbody tr');
    const icon = { name: 'No two-step verification' };
    const rowOf = (email: string) => rows.filter({ has: page.getByRole('link', { name: email, exact: true }) });
    await expect(rows.count()).resolves.toBe(4);
    for (const email of [manager.email, formula.email])
      await expect(rowOf(email).getByRole('img', icon).isVisible()).resolves.toBe(true);
    for (const email of [enrolled.email, org.tenant.admin.email])
      await expect(rowOf(email).getByRole('img', icon).count()).resolves.toBe(0);
    await expect(rowOf(manager.email).innerText()).resolves.toMatch(/In grace period/);
    await expectAccessible(page);
    await screenshots(page, 'admin-users');

    // Keyset pages, as the API pages: two and two make the four users, none twice.
    await page.goto(url('/admin/users?limit=2'));
    const firstTwo = await page.locator('table.users tbody tr td:first-child').allInnerTexts();
    await page.getByRole('link', { name: 'Next page' }).click();
    const nextTwo = await page.locator('table.users tbody tr td:first-child').allInnerTexts();
    expect(new Set([...firstTwo, ...nextTwo]).size).toBe(4);
    await expect(page.getByRole('link', { name: 'Next page' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'First page' }).click();
    expect(await page.locator('table.users tbody tr td:first-child').allInnerTexts()).toEqual(firstTwo);

    await page.getByLabel('Two-step verification', { exact: true }).selectOption({ label: 'Not enrolled' });
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(url('/admin/users?mfa=not_enrolled'));
    const listed = await page.locator('table.users tbody tr td:first-child').allInnerTexts();
    expect(listed.sort()).toEqual([manager.email, formula.email].sort());
    await expect(rows.getByRole('img', icon).count()).resolves.toBe(2);
    await expectAccessible(page);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Download CSV/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`users-${org.tenant.slug}-not_enrolled.csv`);
    const csv = parseCsv(readFileSync((await download.path())!, 'utf8'));
    expect(csv[0]).toEqual([
      'id',
      'email',
      'roles',
      'mfa_enrolled',
      'mfa_methods',
      'mfa_status',
      'mfa_deadline',
      'created_at',
    ]);
    const body = csv.slice(1);
    expect(body.map((r) => r[1]).sort()).toEqual([manager.email, `'${formula.email}`].sort());
    expect(body.map((r) => r[0]).sort()).toEqual([manager.id, formula.id].sort());
    expect(body.every((r) => r[3] === 'no' && r[5] === 'grace')).toBe(true);

    const res = await context.request.get(url('/admin/users.csv?mfa=not_enrolled'));
    expect(res.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers()['content-disposition']).toMatch(/^attachment; filename="?users-.+-not_enrolled\.csv"?$/);
    await context.close();
  }, 120_000);

  it("ends a user's session, disconnects them and resets their MFA from their page", async () => {
    const org = await anOrg();
    const member = await aUserWithTotp(t.http, org.tenant, clock);
    const other = await signInWithTotp(t.http, org.tenant, member, clock);
    const otherId = (await t.http.get('/v1/me', other)).body.session.id as string;
    const { context, page } = await adminPage(org);

    await page.goto(url('/admin/users'));
    await page.getByRole('link', { name: member.email, exact: true }).click();
    await page.waitForURL(url(`/admin/users/${member.id}`));
    await expect(page.getByRole('heading', { name: member.email }).isVisible()).resolves.toBe(true);
    expect(await main(page)).toMatch(/On\. Authenticator app/);
    await expect(
      page.getByRole('region', { name: 'Sessions', exact: true }).locator('ul.list > li').count(),
    ).resolves.toBe(2);
    await expectAccessible(page);
    await screenshots(page, 'admin-user');

    // End one session, after a confirmation: the API refuses its token at once.
    await page.locator(`a[href="/admin/users/${member.id}/sessions/${otherId}/revoke"]`).click();
    await expect(page.getByRole('heading', { name: 'End this session?' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'End session' }).click();
    await page.waitForURL(url(`/admin/users/${member.id}?done=revoked`));
    expect(await main(page)).toMatch(/The session was ended/);
    expect((await t.http.get('/v1/me/sessions', other)).status).toBe(401);
    expect((await t.http.get('/v1/me/sessions', member.token)).status).toBe(200);

    // Disconnect: the live socket closes, the session must step up, the page says what happened.
    const closed = nextDisconnect(await sockets.connect(t.http.baseUrl, member.token));
    await page.getByRole('link', { name: 'Disconnect' }).click();
    await expect(page.getByRole('heading', { name: 'Disconnect this user?' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/Say why/);
    await page.getByLabel('Reason').fill('Suspicious sign-in reported by the SIEM');
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(/done=disconnected/);
    const said = await main(page);
    expect(said).toMatch(
      /1 session must verify with a second factor before doing anything else; 1 live connection was closed\./,
    );
    expect(said).toMatch(/Every server was reached\./);
    expect(await closed).toMatchObject({ event: 'stepguard:step_up_required' });
    await expectAccessible(page);
    expect((await t.http.get('/v1/me/sessions', member.token)).body.code).toBe('step_up_required');

    // Reset MFA, after a page that says what will happen: the user is mailed a link.
    await page.getByRole('link', { name: 'Reset MFA' }).click();
    await expect(page.getByRole('heading', { name: 'Reset two-step verification?' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Reset MFA' }).click();
    await page.waitForURL(url(`/admin/users/${member.id}?done=mfa-reset`));
    expect(await main(page)).toMatch(new RegExp(`We e-mailed ${member.email.replace(/[.+]/g, '\\$&')} a link`));
    const mail = await smtp.nth(member.email, 1, 10_000, /reset your two-step sign-in/);
    expect(mail.text).toMatch(/token=sgr_/);
    await context.close();
  }, 120_000);

  it("shows another tenant's user exactly as a missing one", async () => {
    const org = await anOrg();
    const elsewhere = await aTenant(t.http);
    const stranger = await aUser(t.http, elsewhere);
    const { context, page } = await adminPage(org);
    const theirs = await page.goto(url(`/admin/users/${stranger.id}`));
    const theirsText = await main(page);
    const missing = await page.goto(url('/admin/users/7a0c2d4e-1b3f-4c5d-8e9f-0a1b2c3d4e5f'));
    expect([theirs?.status(), missing?.status()]).toEqual([404, 404]);
    expect(await main(page)).toBe(theirsText);
    expect(theirsText).toMatch(/There is nothing here/);
    for (const path of ['disconnect', 'mfa-reset']) {
      await page.goto(url(`/admin/users/${stranger.id}/${path}`));
      expect(await main(page)).toBe(theirsText);
    }
    await context.close();
  }, 120_000);

  it('forgets every device after a confirmation: a remembered device no longer skips the code', async () => {
    const org = await anOrg();
    const member = await aUserWithTotp(t.http, org.tenant, clock);
    const memberContext = await browser.newContext();
    const memberPage = await memberContext.newPage();
    await steps.signInWithCode(memberPage, org.tenant, member.email, member.secret, { remember: true });
    const signOutAndIn = async () => {
      await memberPage.getByRole('button', { name: 'Sign out' }).click();
      await memberPage.waitForURL(url('/account/sign-in'));
      await steps.signInWithPassword(memberPage, org.tenant, member.email);
    };
    // Remembered: the password alone signs in.
    await signOutAndIn();
    await memberPage.waitForURL(url('/account'));

    const { context, page } = await adminPage(org);
    await page.goto(url('/admin/policy'));
    await page.getByRole('link', { name: 'Forget all devices' }).click();
    await page.waitForURL(url('/admin/devices/forget'));
    expect(await main(page)).toMatch(/every remembered device, so no device skips the code/);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Forget all devices' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/confirm your password and a code/);
    const devices = 'select count(*)::int as n from remembered_devices where tenant_id = $1';
    expect(await t.sql(devices, [org.tenant.id])).toEqual([{ n: 1 }]);

    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByLabel('Authenticator app: 6-digit code').fill(totpCodeAt(org.adminSecret, clock));
    await page.getByRole('button', { name: 'Forget all devices' }).click();
    await page.waitForURL(url('/admin/devices/forgotten?removed=2'));
    expect(await main(page)).toMatch(/Done\. 2 methods were removed\./);
    await expectAccessible(page);
    const forgotten = await t.sql<{ factors: number; devices: number }>(
      `select (select count(*)::int from factors where tenant_id = $1) as factors,
              (select count(*)::int from remembered_devices where tenant_id = $1) as devices`,
      [org.tenant.id],
    );
    expect(forgotten).toEqual([{ factors: 0, devices: 0 }]);

    // The member sets up a new authenticator: the old remembered device must pass it again.
    const again = await enrolTotp(t.http, member.token);
    expect((await verifyFactor(t.http, member.token, again.factorId, totpCodeAt(again.secret, clock))).status).toBe(
      200,
    );
    clock.advance(STEP);
    await signOutAndIn();
    await memberPage.waitForURL(url('/account/sign-in/verify'));
    await Promise.all([context.close(), memberContext.close()]);
  }, 120_000);

  it('lets a manager read the users but not the policy, and keeps a member out of the console', async () => {
    const org = await anOrg();
    const manager = await aUser(t.http, org.tenant, ['manager']);
    const member = await aUser(t.http, org.tenant, ['member']);

    const managerContext = await browser.newContext();
    const page = await managerContext.newPage();
    await steps.signInWithPassword(page, org.tenant, manager.email);
    await page.waitForURL(url('/account'));
    await page.getByRole('link', { name: 'Admin console' }).click();
    await page.waitForURL(url('/admin/users'));
    await expect(page.locator('table.users tbody tr').count()).resolves.toBe(3);
    // An admin's page: no sessions for a manager, and no admin-only actions.
    await page.getByRole('link', { name: org.tenant.admin.email, exact: true }).click();
    expect(await main(page)).toMatch(/Only an administrator can see or end an administrator's sessions/);
    await expect(page.getByRole('link', { name: 'Reset MFA' }).count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Disconnect' }).count()).resolves.toBe(0);
    const policy = await page.goto(url('/admin/policy'));
    expect(policy?.status()).toBe(403);
    expect(await main(page)).toMatch(/You do not have permission to do that/);
    await expectAccessible(page);
    expect((await page.goto(url('/admin/devices/forget')))?.status()).toBe(403);
    await managerContext.close();

    const memberContext = await browser.newContext();
    const memberPage = await memberContext.newPage();
    await steps.signInWithPassword(memberPage, org.tenant, member.email);
    await memberPage.waitForURL(url('/account'));
    await expect(memberPage.getByRole('link', { name: 'Admin console' }).count()).resolves.toBe(0);
    for (const path of ['/admin', '/admin/users', '/admin/users.csv']) {
      const res = await memberPage.goto(url(path));
      expect([path, res?.status()]).toEqual([path, 403]);
      expect(await main(memberPage)).toMatch(/You do not have permission to do that/);
    }
    await memberContext.close();
  }, 120_000);
});

/** RFC 4180, enough for the export: quoted cells with doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}
