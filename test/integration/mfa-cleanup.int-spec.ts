import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import { PurgeSpentMfaRecordsCommand } from '../../src/auth/commands/purge-spent-mfa-records.command.js';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp } from '../support/totp.js';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

describe('the MFA clean-up job', () => {
  const clock = new ManualClock('2030-06-01T08:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const purge = () => t.app.get(CommandBus).execute(new PurgeSpentMfaRecordsCommand(2));
  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    (await t.sql<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, params))[0]!.n;

  it('deletes what can never be used again a day after it died, and nothing that still can', async () => {
    const active = await aUserWithTotp(t.http, acme, clock);
    const abandoning = await aUser(t.http, acme);
    await enrolTotp(t.http, abandoning.token);
    expect((await t.http.post('/v1/me/factors/email', {}, abandoning.token)).status).toBe(201);
    expect((await t.http.post('/v1/me/factors/webauthn', {}, abandoning.token)).status).toBe(201);
    const login = () => t.http.post('/v1/auth/login', { tenant: acme.slug, email: active.email, password: PASSWORD });
    expect((await login()).body.status).toBe('mfa_required');
    await t.sql(`update outbox_messages set relayed_at = $1, delivered_at = $1`, [clock.now()]);
    const before = {
      challenges: await count('mfa_challenges'),
      pending: await count('factors', `status = 'pending'`),
      codes: await count('email_codes'),
      ceremonies: await count('webauthn_challenges'),
      outbox: await count('outbox_messages'),
    };
    // Outbox: the e-mailed enrolment code, and the notice that the active user's factor was added.
    expect(before).toEqual({ challenges: 1, pending: 3, codes: 1, ceremonies: 1, outbox: 2 });

    clock.advance(DAY);
    expect(await purge()).toEqual({
      challenges: 0,
      pendingFactors: 0,
      emailCodes: 0,
      passkeyCeremonies: 0,
      outboxMessages: 0,
    });

    clock.advance(2 * HOUR);
    expect((await login()).body.status).toBe('mfa_required');
    expect(await purge()).toEqual({
      challenges: 1,
      pendingFactors: 3,
      emailCodes: 1,
      passkeyCeremonies: 1,
      outboxMessages: 0,
    });
    expect(await count('mfa_challenges')).toBe(1);
    expect(await count('factors', 'user_id = $1', [active.id])).toBe(1);
    expect(await count('backup_codes', 'user_id = $1', [active.id])).toBe(10);

    clock.advance(6 * DAY);
    expect(await purge()).toMatchObject({ outboxMessages: 2 });
    expect(await count('outbox_messages')).toBe(0);
  });
});
