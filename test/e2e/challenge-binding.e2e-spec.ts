import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp as aUserWithTotpIn, totpCodeAt } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const STEP = 30_000;
const MINUTE = 60_000;

/** A second factor answers only where it was asked: the challenge's password, the code's challenge or session. */
describe('what a challenge and an e-mailed code are bound to', () => {
  const clock = new ManualClock('2030-06-01T09:00:00Z');
  let smtp: TestSmtp;
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ clock, extra: [WorkersModule], env: { SMTP_URL: smtp.url } });
    acme = await aTenant(t.http);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const challenge = async (email: string, password = PASSWORD) => {
    const res = await t.http.post('/v1/auth/login', { tenant: acme.slug, email, password });
    expect(res.body.status).toBe('mfa_required');
    return res.body.challengeId as string;
  };
  const verify = (challengeId: string, code: string, method = 'totp') =>
    t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method, code });
  const stepUp = (token: string, code: string, method = 'email') =>
    t.http.post('/v1/auth/step-up', { method, code }, token);

  /** Waits for the next mail to `address` (after the `seen` already there) and returns its code. */
  async function nextCode(address: string): Promise<string> {
    // Code mails only: security notices share the inbox.
    const codes = /verification code/;
    const mail = await smtp.nth(address, smtp.to(address, codes).length + 1, 10_000, codes);
    return /Your code: (\d{6})/.exec(mail.text)![1]!;
  }
  /** Asks for a sign-in code for the challenge (a minute after the last, past the resend limit). */
  async function mailedCodeFor(email: string, challengeId: string): Promise<string> {
    clock.advance(MINUTE);
    const next = nextCode(email);
    expect((await t.http.post(`/v1/auth/challenges/${challengeId}/email`)).status).toBe(202);
    return next;
  }
  async function aUserWithEmailFactor() {
    const user = await aUser(t.http, acme);
    const mailed = nextCode(user.email);
    const enrolled = await t.http.post('/v1/me/factors/email', {}, user.token);
    const code = await mailed;
    expect((await t.http.post(`/v1/me/factors/${enrolled.body.factorId}/verify`, { code }, user.token)).status).toBe(
      200,
    );
    return user;
  }
  /** An aal 2 session opened through an e-mailed code (so after the factor existed). */
  async function signedInByEmail(email: string): Promise<string> {
    const id = await challenge(email);
    const res = await verify(id, await mailedCodeFor(email, id), 'email');
    expect(res.status).toBe(200);
    return res.body.token;
  }

  describe('a challenge and the password that opened it', () => {
    it('refuses (410) a challenge opened with the old password once the password has changed, even with the right code', async () => {
      const user = await aUserWithTotpIn(t.http, acme, clock);
      const opened = await challenge(user.email);
      const signedIn = await verify(await challenge(user.email), totpCodeAt(user.secret, clock));
      clock.advance(STEP);
      const newPassword = 'a brand new pass phrase';
      const changed = await t.http.post(
        '/v1/me/password',
        { currentPassword: PASSWORD, newPassword },
        signedIn.body.token,
      );
      expect(changed.status).toBe(204);

      const refused = await verify(opened, totpCodeAt(user.secret, clock));
      expect(refused.status).toBe(410);
      expect(refused.body.code).toBe('challenge_expired');
      // Nothing was used up by the refusal: the new password's challenge takes the same code.
      expect((await verify(await challenge(user.email, newPassword), totpCodeAt(user.secret, clock))).status).toBe(200);
    });

    it('refuses the challenge when the password change commits while its verification is under way', async () => {
      const user = await aUserWithTotpIn(t.http, acme, clock);
      const opened = await challenge(user.email);
      const changer = new pg.Client({ connectionString: t.databaseUrl });
      await changer.connect();
      try {
        await changer.query('begin');
        await changer.query(
          `update users set password_hash = password_hash || 'changed', password_changed_at = now() where id = $1`,
          [user.id],
        );
        const verifying = verify(opened, totpCodeAt(user.secret, clock));
        // The verification reaches the user row and waits for the uncommitted change.
        await waitUntil(
          async () =>
            (
              await t.sql<{ n: number }>(
                `select count(*)::int as n from pg_stat_activity
                  where datname = current_database() and wait_event_type = 'Lock'`,
              )
            )[0]!.n,
          { what: 'the verification waiting for the password change', until: (waiting) => waiting > 0 },
        );
        await changer.query('commit');
        const refused = await verifying;
        expect(refused.status).toBe(410);
        expect(refused.body.code).toBe('challenge_expired');
      } finally {
        await changer.end();
      }
    });
  });

  describe('an e-mailed code and where it was sent for', () => {
    it('opens only the challenge it was mailed for', async () => {
      const user = await aUserWithEmailFactor();
      const mailedFor = await challenge(user.email);
      const code = await mailedCodeFor(user.email, mailedFor);
      const other = await challenge(user.email);
      const refused = await verify(other, code, 'email');
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('mfa_code_invalid');
      expect((await verify(mailedFor, code, 'email')).status).toBe(200);
    });

    it('does not take a sign-in code as a step-up', async () => {
      const user = await aUserWithEmailFactor();
      const token = await signedInByEmail(user.email);
      const code = await mailedCodeFor(user.email, await challenge(user.email));
      const refused = await stepUp(token, code);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('mfa_code_invalid');
    });

    it('mails a step-up code that steps up the session that asked for it, and no other', async () => {
      const user = await aUserWithEmailFactor();
      const asking = await signedInByEmail(user.email);
      const other = await signedInByEmail(user.email);
      clock.advance(MINUTE);
      const mailed = nextCode(user.email);
      expect((await t.http.post('/v1/auth/step-up/email', {}, asking)).status).toBe(202);
      const code = await mailed;
      const refused = await stepUp(other, code);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('mfa_code_invalid');
      const ok = await stepUp(asking, code);
      expect(ok.status).toBe(200);
      expect(ok.body.session.amr).toContain('email');
    });
  });
});
