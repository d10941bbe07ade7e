import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { WorkersModule } from '../../workers/workers.module.js';

/**
 * The audit stream to a webhook sink, end to end: the app with its workers, a receiver on loopback that
 * verifies every request with the `standardwebhooks` reference implementation, and faults made at the
 * receiver (down, 410, 400, hanging). Every event arrives, in seq order, none missing.
 */
describe('audit stream to a webhook sink', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;

  beforeAll(async () => {
    t = await startTestApp({
      extra: [WorkersModule],
      env: {
        AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1',
        // The tick is far off: deliveries start on the commit's notification (or an admin's action), or not at all.
        AUDIT_STREAM_TICK_SECONDS: '300',
        AUDIT_STREAM_TIMEOUT_SECONDS: '1',
      },
    });
    acme = await aTenant(t.http);
    globex = await aTenant(t.http);
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
    expect(created.body.secret).toMatch(/^whsec_/);
    receiver.secrets.push(created.body.secret);
    return created.body as { id: string; secret: string };
  }

  /** The chain's head seq, read from the database (what the receiver must end up with). */
  async function headOf(tenant: TenantFixture): Promise<number> {
    const [row] = await t.sql<{ last_seq: string }>('select last_seq from audit_chains where chain_key = $1', [
      tenant.id,
    ]);
    return Number(row!.last_seq);
  }

  function seqsOf(receiver: WebhookReceiver): number[] {
    return receiver.events().map((e) => Number(e['seq']));
  }

  async function receivedThrough(receiver: WebhookReceiver, seq: number, what: string) {
    await waitUntil(() => seqsOf(receiver), {
      what,
      until: (seqs) => seqs.length >= seq,
      wakeOn: receiver.onRequest,
      timeoutMs: 20_000,
    });
  }

  const expectSeqs = (receiver: WebhookReceiver, head: number) =>
    expect(seqsOf(receiver)).toEqual(Array.from({ length: head }, (_, i) => i + 1));

  it('delivers the whole chain in seq order, signed, and new events as they commit', async () => {
    const receiver = await startWebhookReceiver();
    const sink = await aSink(acme, receiver, { batchSize: 3 });
    await aUser(t.http, acme);
    await aUser(t.http, acme);
    const head = await headOf(acme);
    await receivedThrough(receiver, head, `acme's chain through seq ${head}`);
    expectSeqs(receiver, head);
    expect(receiver.problems).toEqual([]);
    const first = receiver.events()[0]!;
    expect(first).toMatchObject({ type: 'audit_event', tenantId: acme.id, seq: 1 });
    expect(first['hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(receiver.events().every((e) => e['tenantId'] === acme.id)).toBe(true);
    const status = await t.http.get(`/v1/admin/audit-streams/${sink.id}`, acme.admin.token);
    expect(status.body).toMatchObject({ state: 'active', consecutiveFailures: 0 });
    await receiver.stop();
  });

  it('keeps every event through an outage and resends a batch under the same webhook-id', async () => {
    const receiver = await startWebhookReceiver();
    await aSink(globex, receiver, { batchSize: 2 });
    await receivedThrough(receiver, await headOf(globex), "globex's chain before the outage");
    let failures = 0;
    receiver.answer = () => (failures++ < 2 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 200 });
    await aUser(t.http, globex);
    await receiver.stop();
    await aUser(t.http, globex);
    await receiver.start();
    const head = await headOf(globex);
    await receivedThrough(receiver, head, "globex's chain after the outage");
    expectSeqs(receiver, head);
    const ids = receiver.requests.filter((r) => r.answered === 503).map((r) => r.webhookId);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    // The request refused with 503 came again under the same id, and then was taken.
    const retried = receiver.requests.filter((r) => r.webhookId === ids[0]);
    expect(retried.map((r) => r.answered)).toContain(200);
    expect(receiver.problems).toEqual([]);
    await receiver.stop();
  });

  it('disables the sink when the receiver answers 410 Gone, and audits it', async () => {
    const tenant = await aTenant(t.http);
    const receiver = await startWebhookReceiver();
    receiver.answer = () => ({ status: 410 });
    const sink = await aSink(tenant, receiver);
    const disabled = await waitUntil(() => t.http.get(`/v1/admin/audit-streams/${sink.id}`, tenant.admin.token), {
      what: 'the sink disabled after a 410',
      until: (res) => res.body.state === 'disabled',
    });
    expect(disabled.body.stateReason).toMatch(/410/);
    const audit = await t.http.get('/v1/admin/audit?action=AuditSinkDisabled', tenant.admin.token);
    expect(audit.body.events).toHaveLength(1);
    expect(audit.body.events[0]).toMatchObject({
      actor: { type: 'system' },
      target: { type: 'audit_sink', id: sink.id },
    });
    // The admins are told by e-mail, in the transaction that disabled it.
    const [mail] = await t.sql(
      `select count(*)::int as n from outbox_messages where kind = 'security_notice' and ref_id = $1`,
      [audit.body.events[0].id],
    );
    expect(mail.n).toBe(1);
    await receiver.stop();
  });

  it('parks at the very event a receiver refuses; retry sends it again, skip moves past it and is audited', async () => {
    const tenant = await aTenant(t.http);
    const receiver = await startWebhookReceiver();
    let refused = 0;
    receiver.answer = (request) =>
      request.items.some((i) => i['type'] === 'audit_event' && i['seq'] === refused)
        ? { status: 400, body: 'bad event' }
        : { status: 200 };
    const head = await headOf(tenant);
    refused = head + 2;
    await aUser(t.http, tenant);
    await aUser(t.http, tenant);
    await aUser(t.http, tenant);
    const sink = await aSink(tenant, receiver, { batchSize: 50 });
    const parked = await waitUntil(() => t.http.get(`/v1/admin/audit-streams/${sink.id}`, tenant.admin.token), {
      what: `the sink parked at seq ${refused}`,
      until: (res) => res.body.state === 'parked',
      timeoutMs: 20_000,
    });
    expect(parked.body.parked).toEqual([{ chain: tenant.id, seq: refused, error: expect.stringMatching(/400/) }]);
    // Everything before the refused event was delivered, nothing after it.
    expect(seqsOf(receiver)).toEqual(Array.from({ length: refused - 1 }, (_, i) => i + 1));

    // A stale page cannot skip another event.
    expect(
      (await t.http.post(`/v1/admin/audit-streams/${sink.id}/skip`, { seq: refused + 1 }, tenant.admin.token)).status,
    ).toBe(409);

    // Retry while the receiver still refuses: parked again at the same event.
    const requestsBefore = receiver.requests.length;
    expect(
      (await t.http.post(`/v1/admin/audit-streams/${sink.id}/retry`, { seq: refused }, tenant.admin.token)).status,
    ).toBe(200);
    await waitUntil(() => t.http.get(`/v1/admin/audit-streams/${sink.id}`, tenant.admin.token), {
      what: 'parked again after the retry',
      until: (res) => res.body.state === 'parked' && receiver.requests.length > requestsBefore,
      timeoutMs: 20_000,
    });

    const skipped = await t.http.post(`/v1/admin/audit-streams/${sink.id}/skip`, { seq: refused }, tenant.admin.token);
    expect(skipped.status).toBe(200);
    const last = await headOf(tenant);
    await waitUntil(() => seqsOf(receiver), {
      what: 'delivery going on past the skipped event',
      until: (seqs) => seqs.includes(last),
      wakeOn: receiver.onRequest,
      timeoutMs: 20_000,
    });
    expect(seqsOf(receiver)).not.toContain(refused);
    expect(seqsOf(receiver).filter((seq) => seq > refused)).toEqual(
      Array.from({ length: last - refused }, (_, i) => refused + 1 + i),
    );
    const audit = await t.http.get('/v1/admin/audit?action=AuditSinkEventSkipped', tenant.admin.token);
    expect(audit.body.events[0].details).toMatchObject({ seq: refused, chainKey: tenant.id });
    await receiver.stop();
  });

  it('times out on a receiver that hangs and sends the same batch again', async () => {
    const tenant = await aTenant(t.http);
    const receiver = await startWebhookReceiver();
    let hung = false;
    receiver.answer = () => (hung ? { status: 200 } : ((hung = true), 'hang'));
    await aSink(tenant, receiver);
    const head = await headOf(tenant);
    await receivedThrough(receiver, head, 'the chain after a hanging attempt');
    expectSeqs(receiver, head);
    expect(receiver.requests[0]!.answered).toBe(0);
    expect(receiver.requests[1]!.webhookId).toBe(receiver.requests[0]!.webhookId);
    await receiver.stop();
  });

  it('refuses sinks on loopback, link-local and metadata addresses unless allow-listed', async () => {
    for (const url of [
      'http://127.0.0.2:8080/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/',
      'http://10.1.2.3/',
    ]) {
      const res = await t.http.post('/v1/admin/audit-streams', { name: 'x', kind: 'webhook', url }, acme.admin.token);
      expect([url, res.status, res.body.code]).toEqual([url, 400, 'validation_failed']);
      expect(res.body.errors[0].field).toBe('url');
    }
    // 127.0.0.1 is on this deployment's allow-list (AUDIT_STREAM_EGRESS_ALLOW): the other tests' sinks use it.
  });

  it('keeps tenants apart: another tenant sees 404, API keys need audit:stream', async () => {
    const receiver = await startWebhookReceiver();
    const sink = await aSink(acme, receiver);
    for (const [method, path] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/pause'],
      ['POST', '/test'],
    ] as const) {
      const res = await t.http.request(method, `/v1/admin/audit-streams/${sink.id}${path}`, {
        token: globex.admin.token,
        ...(method === 'PATCH' && { body: { name: 'mine now' } }),
      });
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    expect(
      (await t.http.get('/v1/admin/audit-streams', globex.admin.token)).body.sinks.map((s: { id: string }) => s.id),
    ).not.toContain(sink.id);
    const reader = await t.http.post(
      '/v1/admin/api-keys',
      { name: 'reader', scopes: ['audit:read'] },
      acme.admin.token,
    );
    expect((await t.http.get('/v1/admin/audit-streams', reader.body.key)).status).toBe(403);
    const streamer = await t.http.post(
      '/v1/admin/api-keys',
      { name: 'streamer', scopes: ['audit:stream'] },
      acme.admin.token,
    );
    const listed = await t.http.get('/v1/admin/audit-streams', streamer.body.key);
    expect(listed.status).toBe(200);
    expect(listed.body.sinks.map((s: { id: string }) => s.id)).toContain(sink.id);
    expect(JSON.stringify(listed.body)).not.toContain(sink.secret);
    await receiver.stop();
  });

  it('streams every tenant and the platform chain to a platform sink', async () => {
    const receiver = await startWebhookReceiver();
    const created = await t.http.post(
      '/v1/operator/audit-streams',
      { name: 'platform siem', kind: 'webhook', url: receiver.url, batchSize: 100 },
      t.operatorToken,
    );
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret);
    const late = await aTenant(t.http);
    const chains = [acme.id, globex.id, late.id];
    for (const chain of chains) {
      const [row] = await t.sql<{ last_seq: string }>('select last_seq from audit_chains where chain_key = $1', [
        chain,
      ]);
      const head = Number(row!.last_seq);
      const seqsOfChain = () =>
        receiver
          .events()
          .filter((e) => e['tenantId'] === chain)
          .map((e) => Number(e['seq']));
      await waitUntil(seqsOfChain, {
        what: `chain ${chain} through seq ${head} at the platform sink`,
        until: (seqs) => seqs.length >= head,
        wakeOn: receiver.onRequest,
        timeoutMs: 20_000,
      });
      expect(seqsOfChain().slice(0, head)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    }
    // The platform chain (the sink's own creation is on it) arrives too.
    await waitUntil(() => receiver.events().some((e) => e['tenantId'] === null), {
      what: 'the platform chain at the platform sink',
      wakeOn: receiver.onRequest,
    });
    // A tenant's admin never sees the platform's sinks.
    expect((await t.http.get(`/v1/admin/audit-streams/${created.body.id}`, acme.admin.token)).status).toBe(404);
    await receiver.stop();
  });

  it('keeps delivering to one sink while another sink of the same tenant hangs', async () => {
    const tenant = await aTenant(t.http);
    const stuck = await startWebhookReceiver();
    stuck.answer = () => 'hang';
    const healthy = await startWebhookReceiver();
    await aSink(tenant, stuck);
    await aSink(tenant, healthy);
    await waitUntil(() => stuck.requests.length, { what: 'the hanging receiver reached', wakeOn: stuck.onRequest });
    for (let i = 0; i < 3; i++) await aUser(t.http, tenant);
    const head = await headOf(tenant);
    await receivedThrough(healthy, head, 'the healthy sink through the head while the other hangs');
    expectSeqs(healthy, head);
    expect(stuck.events()).toEqual([]);
    await Promise.all([stuck.stop(), healthy.stop()]);
  });

  it('answers malformed, missing and oversized input on every sink route with problem+json 400, changing nothing', async () => {
    const receiver = await startWebhookReceiver();
    const sink = await aSink(acme, receiver);
    const countSinks = async () => (await t.sql<{ n: number }>('select count(*)::int as n from audit_sinks'))[0]!.n;
    const before = await countSinks();
    const garbage: unknown[] = [
      {},
      { kind: 'ftp', name: 'x', url: receiver.url },
      { kind: 'webhook', name: 'x' },
      { kind: 'webhook', name: 'x'.repeat(101), url: receiver.url },
      { kind: 'webhook', name: 'x', url: 'not a url' },
      { kind: 'syslog', name: 'x', host: '127.0.0.1', format: 'ecs' },
      { kind: 'webhook', name: 'x', url: receiver.url, batchSize: 0 },
      { kind: 'webhook', name: 'x', url: receiver.url, extra: true },
      [],
      { seq: 'one' },
      { fromSeq: 1, fromTime: '2030-01-01T00:00:00Z' },
      { overlapHours: -1 },
    ];
    const routes: [string, string, string][] = [
      ['POST', '/v1/admin/audit-streams', acme.admin.token],
      ['POST', '/v1/operator/audit-streams', t.operatorToken],
      ['PATCH', `/v1/admin/audit-streams/${sink.id}`, acme.admin.token],
      ['POST', `/v1/admin/audit-streams/${sink.id}/replay`, acme.admin.token],
      ['POST', `/v1/admin/audit-streams/${sink.id}/skip`, acme.admin.token],
      ['POST', `/v1/admin/audit-streams/${sink.id}/retry`, acme.admin.token],
      ['POST', `/v1/admin/audit-streams/${sink.id}/rotate-secret`, acme.admin.token],
    ];
    for (const [method, path, token] of routes) {
      for (const body of garbage) {
        // {} is a valid rotation (the default overlap): the one body here that is not garbage for its route.
        if (path.endsWith('/rotate-secret') && JSON.stringify(body) === '{}') continue;
        const res = await t.http.request(method, path, { token, body });
        expect({ method, path, body, status: res.status, code: res.body.code }).toEqual({
          method,
          path,
          body,
          status: 400,
          code: 'validation_failed',
        });
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
    const badId = await t.http.get('/v1/admin/audit-streams/not-a-uuid', acme.admin.token);
    expect([badId.status, badId.body.code]).toEqual([400, 'validation_failed']);
    // Nothing was created or changed by the refused requests.
    expect(await countSinks()).toBe(before);
    expect((await t.http.get(`/v1/admin/audit-streams/${sink.id}`, acme.admin.token)).body).toMatchObject({
      name: 'siem',
    });
    await receiver.stop();
  });
});
