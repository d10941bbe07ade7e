import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import { TakeAuditCheckpointsCommand } from '../../src/audit/index.js';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import type { HttpResult } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';
import { WorkersModule } from '../../workers/workers.module.js';

const HOUR = 3_600_000;

/**
 * What a tenant's admins do with a sink and what delivery does on its own over time, on an injected clock:
 * the pause after failing for a day (and the e-mail), resume, test, replay, secret rotation, and the
 * signed checkpoints streamed after the event they cover (an idle chain's heartbeat too).
 */
describe('audit stream: sink administration over time', () => {
  const clock = new ManualClock('2030-03-01T08:00:00Z');
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      clock,
      extra: [WorkersModule],
      env: {
        AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1',
        AUDIT_STREAM_TICK_SECONDS: '1',
        AUDIT_STREAM_TIMEOUT_SECONDS: '2',
        // The clock jumps by a day: the admins' sessions must outlive it.
        SESSION_IDLE_TIMEOUT_MINUTES: String(30 * 24 * 60),
        SESSION_ABSOLUTE_TIMEOUT_MINUTES: String(30 * 24 * 60),
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  async function aSink(tenant: TenantFixture, receiver: WebhookReceiver, extra: Record<string, unknown> = {}) {
    const created = await t.http.post(
      '/v1/admin/audit-streams',
      { name: 'siem', kind: 'webhook', url: receiver.url, ...extra },
      tenant.admin.token,
    );
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret);
    return created.body as { id: string; secret: string };
  }
  const sinkOf = (tenant: TenantFixture, id: string) => t.http.get(`/v1/admin/audit-streams/${id}`, tenant.admin.token);
  const headOf = async (tenant: TenantFixture) =>
    Number(
      (await t.sql<{ last_seq: string }>('select last_seq from audit_chains where chain_key = $1', [tenant.id]))[0]!
        .last_seq,
    );
  const delivered = (receiver: WebhookReceiver, head: number, what: string) =>
    waitUntil(() => receiver.events().map((e) => Number(e['seq'])), {
      what,
      until: (seqs) => seqs.length >= head,
      wakeOn: receiver.onRequest,
      timeoutMs: 20_000,
    });

  it('pauses a sink failing for longer than AUDIT_STREAM_PAUSE_AFTER_HOURS, e-mails the admins, and catches up on resume', async () => {
    const tenant = await aTenant(t.http);
    const receiver = await startWebhookReceiver();
    receiver.answer = () => ({ status: 503 });
    const sink = await aSink(tenant, receiver);
    await waitUntil(() => sinkOf(tenant, sink.id), {
      what: 'a first failed delivery',
      until: (res) => res.body.consecutiveFailures >= 1,
    });
    expect((await sinkOf(tenant, sink.id)).body).toMatchObject({
      state: 'active',
      lastError: expect.stringMatching(/503/),
    });
    clock.advance(25 * HOUR);
    const paused = await waitUntil(() => sinkOf(tenant, sink.id), {
      what: 'the sink paused after a day of failures',
      until: (res) => res.body.state === 'paused',
      timeoutMs: 20_000,
    });
    expect(paused.body.stateReason).toMatch(/^failing since 2030-03-01T08:00:00\.000Z/);
    expect(paused.body.lagEvents).toBe(await headOf(tenant));
    const audit = await t.http.get('/v1/admin/audit?action=AuditSinkPaused', tenant.admin.token);
    expect(audit.body.events[0]).toMatchObject({ actor: { type: 'system' }, details: { by: 'delivery' } });
    const [mail] = await t.sql(
      `select count(*)::int as n from outbox_messages where kind = 'security_notice' and ref_id = $1 and user_id = $2`,
      [audit.body.events[0].id, tenant.admin.id],
    );
    expect(mail.n).toBe(1);

    receiver.answer = () => ({ status: 200 });
    const resumed = await t.http.post(`/v1/admin/audit-streams/${sink.id}/resume`, {}, tenant.admin.token);
    expect(resumed.body).toMatchObject({ state: 'active', consecutiveFailures: 0 });
    const head = await headOf(tenant);
    expect((await delivered(receiver, head, 'the chain after the resume')).slice(0, head)).toEqual(
      Array.from({ length: head }, (_, i) => i + 1),
    );
    await receiver.stop();
  });

  it('sends a test event outside the chain, and replays from a seq', async () => {
    const tenant = await aTenant(t.http);
    const receiver = await startWebhookReceiver();
    const sink = await aSink(tenant, receiver, { batchSize: 1 });
    await delivered(receiver, await headOf(tenant), 'the chain');

    const tested = await t.http.post(`/v1/admin/audit-streams/${sink.id}/test`, {}, tenant.admin.token);
    expect(tested.body).toMatchObject({ outcome: 'acknowledged' });
    const test = receiver.requests.at(-1)!.items[0]!;
    expect(test).toMatchObject({ type: 'audit_event', seq: 0, action: 'AuditStreamTest' });

    const before = receiver.requests.length;
    const replay = await t.http.post(`/v1/admin/audit-streams/${sink.id}/replay`, { fromSeq: 1 }, tenant.admin.token);
    expect([replay.status, replay.body.fromSeq]).toEqual([202, 1]);
    const head = await headOf(tenant);
    const resent = await waitUntil(() => receiver.requests.slice(before).flatMap((r) => r.items.map((i) => i['seq'])), {
      what: 'the chain sent again from seq 1',
      until: (seqs) => seqs.includes(head),
      wakeOn: receiver.onRequest,
    });
    expect(resent.slice(0, head)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect((await t.http.get('/v1/admin/audit?action=AuditSinkReplayed', tenant.admin.token)).body.events).toHaveLength(
      1,
    );
    const tooOld = await t.http.post(
      `/v1/admin/audit-streams/${sink.id}/replay`,
      { fromSeq: head + 5 },
      tenant.admin.token,
    );
    expect([tooOld.status, tooOld.body.code]).toEqual([400, 'validation_failed']);
    await receiver.stop();
  });

  it('signs with the old and the new secret during a rotation, then with the new one only', async () => {
    const tenant = await aTenant(t.http);
    const receiver = await startWebhookReceiver();
    const sink = await aSink(tenant, receiver);
    await delivered(receiver, await headOf(tenant), 'the chain');
    const rotated = await t.http.post(
      `/v1/admin/audit-streams/${sink.id}/rotate-secret`,
      { overlapHours: 1 },
      tenant.admin.token,
    );
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(sink.secret);
    expect(rotated.body.secretsInForce).toBe(2);
    // A receiver that knows only the new secret verifies every request from now on.
    receiver.secrets = [rotated.body.secret];
    await aUser(t.http, tenant);
    await delivered(receiver, await headOf(tenant), 'events after the rotation');
    expect(receiver.requests.at(-1)!.signatures).toHaveLength(2);
    clock.advance(2 * HOUR);
    await aUser(t.http, tenant);
    await delivered(receiver, await headOf(tenant), 'events after the overlap');
    expect(receiver.requests.at(-1)!.signatures).toHaveLength(1);
    expect(receiver.problems).toEqual([]);
    await receiver.stop();
  });

  it('signs with the new secret an event read after a rotation, in a delivery run that began before it', async () => {
    const tenant = await aTenant(t.http);
    const receiver = await startWebhookReceiver();
    // The run's first batch is held at the receiver while the secret rotates; the run then reads the
    // rotation's own event as its next batch.
    let arrived!: () => void;
    let release!: () => void;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = true;
    receiver.answer = () => {
      if (!holding) return { status: 200 };
      holding = false;
      arrived();
      return released.then(() => ({ status: 200 }));
    };
    const sink = await aSink(tenant, receiver);
    await firstArrived;
    const rotated = await t.http.post(
      `/v1/admin/audit-streams/${sink.id}/rotate-secret`,
      { overlapHours: 1 },
      tenant.admin.token,
    );
    expect(rotated.status).toBe(200);
    receiver.secrets = [rotated.body.secret];
    release();
    await delivered(receiver, await headOf(tenant), 'the rotation event');
    expect(receiver.problems).toEqual([]);
    await receiver.stop();
  });

  it('streams each signed checkpoint after the event it covers, and an idle chain its heartbeat', async () => {
    const tenant = await aTenant(t.http);
    const receiver = await startWebhookReceiver();
    await aSink(tenant, receiver);
    const commands = t.app.get(CommandBus);
    await commands.execute(new TakeAuditCheckpointsCommand({ kind: 'chain', chainKey: tenant.id }));
    const at = await headOf(tenant);
    await waitUntil(() => receiver.checkpoints(), {
      what: 'the first checkpoint',
      until: (c) => c.length >= 1,
      wakeOn: receiver.onRequest,
    });
    const order = receiver.items().map((i) => `${String(i['type'])}:${String(i['seq'])}`);
    expect(order.indexOf(`audit_checkpoint:${at}`)).toBe(order.indexOf(`audit_event:${at}`) + 1);

    clock.advance(10 * 60_000);
    await commands.execute(new TakeAuditCheckpointsCommand({ kind: 'chain', chainKey: tenant.id }));
    const heartbeats = await waitUntil(() => receiver.checkpoints(), {
      what: "the idle chain's second checkpoint",
      until: (c) => c.length >= 2,
      wakeOn: receiver.onRequest,
    });
    expect(heartbeats.map((c) => [c['number'], c['seq']])).toEqual([
      [1, at],
      [2, at],
    ]);
    expect(heartbeats[1]!['previous']).toBe(heartbeats[0]!['signature']);
    await receiver.stop();
  });
});

describe('the pull API', () => {
  let t: TestApp;
  let acme: TenantFixture;

  beforeAll(async () => {
    t = await startTestApp();
    acme = await aTenant(t.http);
    for (let i = 0; i < 3; i++) await aUser(t.http, acme);
  });
  afterAll(async () => {
    await t.close();
  });

  it('pages by seq with a Link cursor that never re-reads or skips', async () => {
    const seqs: number[] = [];
    let next: string | null = '/v1/audit-events?limit=2';
    while (next) {
      const page: HttpResult = await t.http.get(next, acme.admin.token);
      expect(page.status).toBe(200);
      seqs.push(...page.body.events.map((e: { seq: number }) => e.seq));
      const link: string | null = page.headers.get('link');
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
      expect(link === null).toBe(page.body.nextCursor === null);
    }
    const [head] = await t.sql<{ n: number }>('select last_seq::int as n from audit_chains where chain_key = $1', [
      acme.id,
    ]);
    expect(seqs).toEqual(Array.from({ length: head!.n }, (_, i) => i + 1));
  });

  it('streams the whole range as NDJSON, in OCSF when asked, with filters', async () => {
    const res = await t.http.request('GET', '/v1/audit-events?format=ocsf&type=UserCreated', {
      token: acme.admin.token,
      headers: { accept: 'application/x-ndjson' },
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = String(res.body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    const created = await t.sql<{ seq: string }>(
      `select seq from audit_events where chain_key = $1 and action = 'UserCreated' order by seq`,
      [acme.id],
    );
    expect(lines.map((l) => l.metadata.sequence)).toEqual(created.map((r) => Number(r.seq)));
    expect(lines.every((l) => l.class_uid === 3001)).toBe(true);
  });

  it('refuses a bad cursor or format with problem+json', async () => {
    for (const query of ['after=-1', 'format=xml', 'limit=5000', 'type=A&action=B']) {
      const res = await t.http.get(`/v1/audit-events?${query}`, acme.admin.token);
      expect([query, res.status, res.body.code]).toEqual([query, 400, 'validation_failed']);
    }
  });
});
