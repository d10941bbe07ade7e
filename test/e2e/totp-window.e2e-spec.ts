import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

describe('a configured TOTP window (TOTP_WINDOW_STEPS)', () => {
  const clock = new ManualClock('2030-06-01T08:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { TOTP_WINDOW_STEPS: '0' } });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  it('accepts only the current step when the window is 0', async () => {
    const verdicts: Record<number, number> = {};
    for (const offset of [-1, 0, 1]) {
      const user = await aUser(t.http, acme);
      const { factorId, secret } = await enrolTotp(t.http, user.token);
      verdicts[offset] = (await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock, offset))).status;
    }
    expect(verdicts).toEqual({ '-1': 401, '0': 200, '1': 401 });
  });
});
