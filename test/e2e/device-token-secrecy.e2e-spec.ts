import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DestinationStream } from 'pino';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, totpCodeAt } from '../support/totp.js';

class LogSink implements DestinationStream {
  readonly lines: string[] = [];
  write(chunk: string): void {
    this.lines.push(chunk);
  }
}

/** The remembered-device token plus the password skips MFA: it is a secret wherever it travels. */
describe('the remembered-device token', () => {
  const clock = new ManualClock('2030-05-01T08:00:00Z');
  const logs = new LogSink();
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { LOG_LEVEL: 'debug' }, logDestination: logs });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const login = (email: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    t.http.request('POST', '/v1/auth/login', {
      body: { tenant: acme.slug, email, password: PASSWORD, ...extra },
      headers,
    });

  async function rememberedUser() {
    const user = await aUserWithTotp(t.http, acme, clock);
    const { challengeId } = (await login(user.email)).body;
    const res = await t.http.post(`/v1/auth/challenges/${challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(user.secret, clock),
      rememberDevice: true,
    });
    expect(res.status).toBe(200);
    clock.advance(30_000);
    return { ...user, deviceToken: res.body.deviceToken as string };
  }

  it('never reaches a log line, whether sent as header, cookie or body field', async () => {
    const user = await rememberedUser();
    const presented = [
      await login(user.email, {}, { 'x-stepguard-device': user.deviceToken }),
      await login(user.email, {}, { cookie: `theme=dark; sg_device=${user.deviceToken}` }),
      await login(user.email, { deviceToken: user.deviceToken }),
    ];
    expect(presented.map((r) => r.body.status)).toEqual(Array(3).fill('authenticated'));
    const requestLines = logs.lines.filter((l) => l.includes('/v1/auth/login'));
    expect(requestLines.length).toBeGreaterThanOrEqual(3);
    expect(requestLines.join('\n')).toContain('"x-stepguard-device":"[redacted]"');
    const secret = user.deviceToken.slice(4);
    expect(logs.lines.filter((l) => l.includes(secret))).toEqual([]);
  });

  it.each([
    ['a cookie with broken percent-encoding', { cookie: 'sg_device=%E0%A4%A' }],
    ['an oversized cookie', { cookie: `sg_device=sgd_${'a'.repeat(5000)}` }],
    ['a non-ASCII cookie', { cookie: 'sg_device=sgd_%C3%A9t%C3%A9' }],
    ['a non-ASCII header', { 'x-stepguard-device': 'sgd_\u00e9t\u00e9' }],
    ['an oversized header', { 'x-stepguard-device': `sgd_${'a'.repeat(5000)}` }],
  ])('answers %s as if no device were presented', async (_, headers) => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const errorsBefore = logs.lines.filter((l) => l.includes('"level":"error"')).length;
    const res = await login(user.email, {}, headers as Record<string, string>);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('mfa_required');
    expect(logs.lines.filter((l) => l.includes('"level":"error"'))).toHaveLength(errorsBefore);
  });
});
