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
        AUDIT_STREAM_TICK_SECONDS: '1',
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
});
