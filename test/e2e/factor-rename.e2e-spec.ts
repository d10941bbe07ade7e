import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp } from '../support/totp.js';

/** `PATCH /v1/me/factors/{factorId}`: a user names their own factors, and only theirs. */
describe('renaming a factor', () => {
  const clock = new ManualClock('2030-05-08T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
    globex = await aTenant(t.http);
  });
  afterAll(async () => {
    await t?.close();
  });

  const rename = (token: string, factorId: string, body: unknown) =>
    t.http.request('PATCH', `/v1/me/factors/${factorId}`, { token, body });

  it('renames the own factor (trimmed), audits the old and new label, and lists the new one', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const renamed = await rename(user.token, user.factorId, { label: '  Work phone  ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ factor: { id: user.factorId, type: 'totp', label: 'Work phone' } });
    const me = await t.http.get('/v1/me', user.token);
    expect(me.body.mfa.factors).toEqual([expect.objectContaining({ id: user.factorId, label: 'Work phone' })]);
    const rows = await t.sql<{ target_id: string; outcome: string; details: Record<string, unknown> }>(
      `select target_id, outcome, details from audit_events where action = 'FactorRenamed' and actor_id = $1`,
      [user.id],
    );
    expect(rows).toEqual([
      {
        target_id: user.factorId,
        outcome: 'success',
        details: expect.objectContaining({ factorType: 'totp', oldLabel: expect.any(String), newLabel: 'Work phone' }),
      },
    ]);
  });

  it("answers 404 for another user's or another tenant's factor, and changes nothing", async () => {
    const owner = await aUserWithTotp(t.http, acme, clock);
    const neighbour = await aUserWithTotp(t.http, acme, clock);
    const stranger = await aUserWithTotp(t.http, globex, clock);
    for (const token of [neighbour.token, stranger.token]) {
      const refused = await rename(token, owner.factorId, { label: 'Mine now' });
      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('not_found');
    }
    const me = await t.http.get('/v1/me', owner.token);
    expect(me.body.mfa.factors[0].label).not.toBe('Mine now');
  });

  it('refuses an empty, a blank or a 65-character label with 400', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    for (const label of ['', '   ', 'x'.repeat(65)]) {
      expect((await rename(user.token, user.factorId, { label })).status).toBe(400);
    }
    expect((await rename(user.token, user.factorId, { label: 'x'.repeat(64) })).status).toBe(200);
    expect((await rename(user.token, user.factorId, {})).status).toBe(400);
  });
});
