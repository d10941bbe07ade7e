import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { CommandBus } from '@nestjs/cqrs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_REQUEST } from '../../src/common/actor.js';
import { ManualClock } from '../../src/common/clock.js';
import { UnitOfWork } from '../../src/common/cqrs/unit-of-work.js';
import { TenantScope } from '../../src/common/tenant-scope.js';
import { DeliverEmailCodeCommand } from '../../src/factors/email/commands/deliver-email-code.command.js';
import { EmailCodes } from '../../src/factors/email/email-codes.js';
import { Factor } from '../../src/factors/factor.entity.js';
import { MailTemplates } from '../../src/infra/mail/mail-templates.js';
import { DevMailbox } from '../../src/infra/mail/mail-transport.js';
import { OutboxRelay } from '../../src/infra/outbox/outbox-relay.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { verifyFactor } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const MINUTE = 60_000;

describe('e-mail codes', () => {
  const clock = new ManualClock('2030-04-01T09:00:00Z');
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

  const deliveredAt = 'select delivered_at from outbox_messages where id = $1';
  /** The code mails to `address` (a security notice may share the inbox). */
  const mailsTo = (address: string) => smtp.to(address, /verification code/);

  /** Waits for the `n`th mail to `address` and returns the code in it. */
  async function nthCode(address: string, n = 1, timeoutMs = 10_000): Promise<string> {
    const match = /Your code: (\d{6})/.exec((await smtp.nth(address, n, timeoutMs, /verification code/)).text);
    if (!match) throw new Error('no code in the mail');
    return match[1]!;
  }

  /** Verifies through the API; the factor on success (the user's token follows a rotation), the problem otherwise. */
  async function verifyEnrolment(user: { token: string }, factorId: string, code: string) {
    const res = await verifyFactor(t.http, user.token, factorId, code);
    if (res.status !== 200) throw Object.assign(new Error(res.body.detail), res.body);
    if (res.body.token) user.token = res.body.token;
    return res.body.factor;
  }

  async function aUserWithEmailFactor() {
    const user = await aUser(t.http, acme);
    const res = await t.http.post('/v1/me/factors/email', {}, user.token);
    expect(res.status).toBe(201);
    await expect(verifyEnrolment(user, res.body.factorId, await nthCode(user.email))).resolves.toMatchObject({
      status: 'active',
    });
    return { ...user, factorId: res.body.factorId as string };
  }

  async function challengeFor(email: string): Promise<string> {
    const res = await t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });
    expect(res.body).toMatchObject({ status: 'mfa_required' });
    expect(res.body.methods).toContain('email');
    return res.body.challengeId;
  }

  it('mails an enrolment code through SMTP, with the tenant’s name, and activates the factor with it once', async () => {
    const user = await aUser(t.http, acme);
    const res = await t.http.post('/v1/me/factors/email', {}, user.token);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ factorId: expect.any(String) });

    const code = await nthCode(user.email);
    const [mail] = mailsTo(user.email);
    expect(mail!.subject).toBe(`Your Tenant ${acme.slug} verification code`);
    expect(mail!.html).toContain(code);
    expect(mail!.html).toContain(`Tenant ${acme.slug}`);
    expect(mail!.text).toContain(`Tenant ${acme.slug}`);

    await expect(verifyEnrolment(user, res.body.factorId, code)).resolves.toEqual({
      id: res.body.factorId,
      type: 'email',
      status: 'active',
    });
    await expect(verifyEnrolment(user, res.body.factorId, code)).rejects.toMatchObject({ code: 'mfa_code_invalid' });
  });

  it('activates an e-mail factor through the public verify route, with the first backup codes', async () => {
    const user = await aUser(t.http, acme);
    const enrolled = await t.http.post('/v1/me/factors/email', {}, user.token);
    expect(enrolled.status).toBe(201);
    const code = await nthCode(user.email);
    const wrong = await t.http.post(`/v1/me/factors/${enrolled.body.factorId}/verify`, { code: '000000' }, user.token);
    expect(wrong.status).toBe(401);
    const res = await t.http.post(`/v1/me/factors/${enrolled.body.factorId}/verify`, { code }, user.token);
    expect(res.status).toBe(200);
    expect(res.body.factor).toEqual({ id: enrolled.body.factorId, type: 'email', status: 'active' });
    expect(res.body.backupCodes).toHaveLength(10);
    const again = await t.http.post(`/v1/me/factors/${enrolled.body.factorId}/verify`, { code }, user.token);
    expect(again.status).toBe(401);
  });

  it('stores neither the code nor anything that reveals it without the server key', async () => {
    const user = await aUserWithEmailFactor();
    const code = await nthCode(user.email);
    const rows = await t.sql('select * from email_codes where factor_id = $1', [user.factorId]);
    expect(JSON.stringify(rows)).not.toContain(code);
    const jobs = await t.sql('select * from outbox_messages where tenant_id = $1', [acme.id]);
    expect(JSON.stringify(jobs)).not.toContain(code);
  });

  it('signs in with a mailed code once (amr email), and refuses the same code again', async () => {
    const user = await aUserWithEmailFactor();
    const challengeId = await challengeFor(user.email);
    const sent = await t.http.post(`/v1/auth/challenges/${challengeId}/email`);
    expect(sent.status).toBe(202);
    const code = await nthCode(user.email, 2);

    const ok = await t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method: 'email', code });
    expect(ok.status).toBe(200);
    expect(ok.body.session).toMatchObject({ aal: 2, amr: ['pwd', 'email'] });

    const again = await challengeFor(user.email);
    const replay = await t.http.post(`/v1/auth/challenges/${again}/verify`, { method: 'email', code });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('mfa_code_invalid');
  });

  it('refuses a second code within 60 s with 429 and Retry-After, and sends one after', async () => {
    const user = await aUserWithEmailFactor();
    const challengeId = await challengeFor(user.email);
    expect((await t.http.post(`/v1/auth/challenges/${challengeId}/email`)).status).toBe(202);
    clock.advance(20_000);
    const early = await t.http.post(`/v1/auth/challenges/${challengeId}/email`);
    expect(early.status).toBe(429);
    expect(early.body.code).toBe('too_many_attempts');
    expect(early.headers.get('retry-after')).toBe('40');

    clock.advance(40_000);
    expect((await t.http.post(`/v1/auth/challenges/${challengeId}/email`)).status).toBe(202);
    const older = await nthCode(user.email, 2);
    const newer = await nthCode(user.email, 3);
    // A new code invalidates the old one.
    const stale = await t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method: 'email', code: older });
    expect(stale.status).toBe(401);
    const fresh = await t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method: 'email', code: newer });
    expect(fresh.status).toBe(200);
  });

  it('refuses a code 10 minutes after it was issued', async () => {
    const user = await aUser(t.http, acme);
    const res = await t.http.post('/v1/me/factors/email', {}, user.token);
    const code = await nthCode(user.email);
    clock.advance(10 * MINUTE);
    await expect(verifyEnrolment(user, res.body.factorId, code)).rejects.toMatchObject({ code: 'mfa_code_invalid' });
  });

  it('refuses the right code on the sixth try', async () => {
    const user = await aUser(t.http, acme);
    const res = await t.http.post('/v1/me/factors/email', {}, user.token);
    const code = await nthCode(user.email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      await expect(verifyEnrolment(user, res.body.factorId, wrong)).rejects.toMatchObject({ code: 'mfa_code_invalid' });
    }
    await expect(verifyEnrolment(user, res.body.factorId, code)).rejects.toMatchObject({ code: 'mfa_code_invalid' });
  });

  it('accepts the right code on the fifth try', async () => {
    const user = await aUser(t.http, acme);
    const res = await t.http.post('/v1/me/factors/email', {}, user.token);
    const code = await nthCode(user.email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) await expect(verifyEnrolment(user, res.body.factorId, wrong)).rejects.toThrow();
    await expect(verifyEnrolment(user, res.body.factorId, code)).resolves.toMatchObject({ status: 'active' });
  });

  it('delivers exactly one usable code when the api died between commit and enqueue (the sweep relays it)', async () => {
    const user = await aUserWithEmailFactor();
    clock.advance(MINUTE);
    const inTenant = <T>(work: () => Promise<T>) => TenantScope.run(acme.id, work);
    const factor = (await inTenant(() => t.app.get(UnitOfWork).reader().findOne(Factor, { id: user.factorId })))!;
    const challengeId = await challengeFor(user.email);
    // The committed transaction, and no relay after it: what kill -9 right after the commit leaves.
    const outboxId = await inTenant(() =>
      t.app.get(UnitOfWork).run((tx) =>
        t.app.get(EmailCodes).issue(tx, {
          factor,
          purpose: 'sign_in',
          boundTo: challengeId,
          actor: { type: 'user', id: user.id },
          request: NO_REQUEST,
          now: clock.now(),
        }),
      ),
    );
    // Never enqueued, so no worker can have mailed it: the row says so, no waiting needed.
    expect(await t.sql('select relayed_at from outbox_messages where id = $1', [outboxId])).toEqual([
      { relayed_at: null },
    ]);
    expect(mailsTo(user.email)).toHaveLength(1);

    expect(await t.app.get(OutboxRelay).sweep()).toBe(1);
    const code = await nthCode(user.email, 2);
    expect(await t.app.get(OutboxRelay).sweep()).toBe(0);
    // The job records the delivery just after the SMTP server took the mail: the duplicate comes after that.
    await waitUntil(() => t.sql<{ delivered_at: Date | null }>(deliveredAt, [outboxId]), {
      what: 'the relayed code marked delivered',
      until: ([row]) => Boolean(row?.delivered_at),
    });
    // The job running again (a duplicate delivery) sends nothing more.
    await expect(t.app.get(CommandBus).execute(new DeliverEmailCodeCommand(outboxId))).resolves.toEqual({
      delivery: 'already_delivered',
    });
    // The duplicate answered without sending, and the relayed job's mail was the second one awaited above.
    expect(mailsTo(user.email)).toHaveLength(2);

    const ok = await t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method: 'email', code });
    expect(ok.status).toBe(200);
  });

  it('leaves exactly one usable code when a worker died after mailing, before marking it delivered', async () => {
    const user = await aUserWithEmailFactor();
    clock.advance(MINUTE);
    const challengeId = await challengeFor(user.email);
    expect((await t.http.post(`/v1/auth/challenges/${challengeId}/email`)).status).toBe(202);
    const first = await nthCode(user.email, 2);
    // The worker records the delivery just after the SMTP server took the mail: wait for that, or the
    // reset below could land first and be overwritten.
    const latestOutbox = `select id, delivered_at from outbox_messages
       where ref_id = (select id from email_codes where factor_id = $1 order by created_at desc limit 1)`;
    await waitUntil(() => t.sql<{ delivered_at: Date | null }>(latestOutbox, [user.factorId]), {
      what: 'the latest code marked delivered',
      until: ([latest]) => Boolean(latest?.delivered_at),
    });
    // What the crashed run leaves behind: mailed, but the outbox row not marked delivered; BullMQ retries.
    const [row] = await t.sql<{ id: string }>(
      `update outbox_messages set delivered_at = null
        where ref_id = (select id from email_codes where factor_id = $1 order by created_at desc limit 1)
        returning id`,
      [user.factorId],
    );
    await t.app.get(CommandBus).execute(new DeliverEmailCodeCommand(row!.id));
    const second = await nthCode(user.email, 3);

    const old = await t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method: 'email', code: first });
    const ok = await t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method: 'email', code: second });
    expect(old.status === 200 || first === second).toBe(false);
    expect(ok.status).toBe(200);
  });

  it('answers 404 for an unknown challenge and 400 for a malformed id', async () => {
    expect((await t.http.post('/v1/auth/challenges/6f1e1c8e-3b8a-4c1e-9d8a-0a0b0c0d0e0f/email')).status).toBe(404);
    expect((await t.http.post('/v1/auth/challenges/nope/email')).status).toBe(400);
    const user = await aUser(t.http, acme);
    expect((await t.http.post('/v1/me/factors/email', { email: 'not-an-address' }, user.token)).status).toBe(400);
  });
});

describe('the dev mailbox (no SMTP_URL)', () => {
  it('writes each message as an .eml file under <data dir>/mail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stepguard-mail-'));
    try {
      const mailbox = new DevMailbox(join(dir, 'mail'), 'Stepguard <no-reply@stepguard.local>');
      const body = new MailTemplates().render('email-code', {
        productName: 'Acme & Co',
        intro: 'Enter this code.',
        code: '123456',
        minutes: 10,
      });
      await mailbox.send({ to: 'ada@acme.example', subject: 'Your Acme & Co verification code', ...body });
      mailbox.close();
      const files = await readdir(join(dir, 'mail'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      const parsed = await simpleParser(await readFile(join(dir, 'mail', files[0]!)));
      expect(parsed.subject).toBe('Your Acme & Co verification code');
      expect(parsed.text).toContain('Your code: 123456');
      expect(parsed.text).toContain('Acme & Co');
      expect(parsed.html).toContain('Acme &amp; Co');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
