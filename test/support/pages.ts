import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { launchBrowser } from './browser.js';
import { aTenant, PASSWORD, type TenantFixture } from './builders.js';
import { startTestApp, type TestApp } from './test-app.js';
import { addAuthenticator, totpCodeAt } from './totp.js';

const STEP = 30_000;

/**
 * The steps the browser journeys take through the sign-in pages, as a person would, against one test app
 * (whose address is known only once it has started).
 */
export class PageSteps {
  constructor(
    private readonly baseUrl: () => string,
    private readonly clock: ManualClock,
  ) {}

  readonly url = (path: string): string => `${this.baseUrl()}${path}`;

  readonly main = (page: Page): Promise<string> => page.locator('main').innerText();

  /** Fills and sends the sign-in form; where it lands is the caller's to check. */
  async signInWithPassword(page: Page, tenant: { slug: string }, email: string, password = PASSWORD): Promise<void> {
    await page.goto(this.url(`/account/sign-in?tenant=${tenant.slug}`));
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /**
   * The password, then a code of the user's authenticator app; lands on the Security page. The clock moves a
   * step on, so that the next code is a new one (a code is good once).
   */
  async signInWithCode(
    page: Page,
    tenant: { slug: string },
    email: string,
    secret: string,
    options: { remember?: boolean } = {},
  ): Promise<void> {
    await this.signInWithPassword(page, tenant, email);
    await page.waitForURL(this.url('/account/sign-in/verify'));
    await page.getByLabel(/6-digit code/).fill(totpCodeAt(secret, this.clock));
    if (options.remember) await page.getByLabel('Remember this device').check();
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(this.url('/account'));
    this.clock.advance(STEP);
  }

  async signOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(this.url('/account/sign-in'));
  }
}

export interface AdminConsoleStack {
  t: TestApp;
  tenant: TenantFixture;
  /** The admin's authenticator app (API keys and weaker policies ask for a fresh code). */
  adminSecret: string;
  browser: Browser;
  /** The admin signed in through the pages (password and a fresh code), in a browser context of their own. */
  signInAsAdmin(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * What the admin console's journeys run on: the real stack with its workers (so audit sinks deliver, to
 * receivers on loopback only), a tenant whose admin has an authenticator app, and a browser.
 */
export async function startAdminConsoleStack(clock: ManualClock): Promise<AdminConsoleStack> {
  const t = await startTestApp({
    clock,
    extra: [WorkersModule],
    env: { AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1', AUDIT_STREAM_TICK_SECONDS: '1' },
  });
  const tenant = await aTenant(t.http);
  const admin = await addAuthenticator(t.http, tenant.admin.token, clock);
  tenant.admin.token = admin.token;
  const browser = await launchBrowser();
  const steps = new PageSteps(() => t.http.baseUrl, clock);
  return {
    t,
    tenant,
    adminSecret: admin.secret,
    browser,
    signInAsAdmin: async () => {
      // A step on: the code the set-up (or the last sign-in) used is spent.
      clock.advance(STEP);
      const context = await browser.newContext();
      const page = await context.newPage();
      await steps.signInWithCode(page, tenant, tenant.admin.email, admin.secret);
      return { context, page };
    },
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}
