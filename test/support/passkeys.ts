import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { WorkersModule } from '../../workers/workers.module.js';
import { PACKAGED } from '../../src/web/web-assets.js';
import type { ManualClock } from '../../src/common/clock.js';
import { freePort } from './free-port.js';
import { startTestApp, type TestApp } from './test-app.js';

const BROWSER_BUNDLE = PACKAGED['simplewebauthn.min.js']!;

/** A credential as Chromium's virtual authenticator holds it (the private key included: what a clone copies). */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/**
 * One device with a built-in authenticator (Touch ID, Windows Hello): a Chromium page on Stepguard's origin
 * with a CDP virtual authenticator (internal transport, resident keys, user verification), driven through
 * @simplewebauthn/browser as an app would. What it returns is what a real browser posts.
 */
export class PasskeyDevice {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly cdp: CDPSession,
    private readonly authenticatorId: string,
  ) {}

  static async open(browser: Browser, origin: string): Promise<PasskeyDevice> {
    // The bundle is injected as a script of its own: the pages' CSP would refuse it, rightly.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${origin}/account/sign-in`);
    await page.addScriptTag({ path: BROWSER_BUNDLE });
    const { cdp, authenticatorId } = await addVirtualAuthenticator(context, page);
    return new PasskeyDevice(context, page, cdp, authenticatorId);
  }

  /** `startRegistration()` with the server's options: the new credential, as the browser posts it. */
  register(optionsJSON: unknown): Promise<any> {
    return this.page.evaluate(
      (options) => (globalThis as any).SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options }),
      optionsJSON,
    );
  }

  /** `startAuthentication()` with the server's options: the signed assertion, as the browser posts it. */
  sign(optionsJSON: unknown): Promise<any> {
    return this.page.evaluate(
      (options) => (globalThis as any).SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options }),
      optionsJSON,
    );
  }

  /** Whether the authenticator verifies the person (a fingerprint or PIN) or only their presence. */
  async setUserVerified(isUserVerified: boolean): Promise<void> {
    await this.cdp.send('WebAuthn.setUserVerified', { authenticatorId: this.authenticatorId, isUserVerified });
  }

  async credentials(): Promise<VirtualCredential[]> {
    const { credentials } = await this.cdp.send('WebAuthn.getCredentials', { authenticatorId: this.authenticatorId });
    return credentials as VirtualCredential[];
  }

  /** Puts a credential (private key and counter) into this authenticator: how a clone is made. */
  async addCredential(credential: VirtualCredential): Promise<void> {
    await this.cdp.send('WebAuthn.addCredential', { authenticatorId: this.authenticatorId, credential });
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/**
 * A built-in authenticator (Touch ID, Windows Hello) for one page, through CDP: internal transport, resident
 * keys, a verified user, presence given without a prompt. It stays with the page across its navigations.
 */
export async function addVirtualAuthenticator(
  context: BrowserContext,
  page: Page,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * A test app on `http://localhost:<port>`, the relying party passkeys need (an IP address cannot be one),
 * with the workers (security notices) running.
 */
export async function startPasskeyApp(
  clock: ManualClock,
  env: (port: number) => Record<string, string> = () => ({}),
): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({
    clock,
    port,
    extra: [WorkersModule],
    env: { PUBLIC_URL: `http://localhost:${port}`, PORT: String(port), ...env(port) },
  });
}
