import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { WorkersModule } from '../../workers/workers.module.js';

/** `POST /v1/admin/audit-streams/{id}/replay`: the sink receives its chain again from a seq or from a time. */
describe('replaying an audit sink', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let receiver: WebhookReceiver;
  let sinkId: string;

  beforeAll(async () => {
    t = await startTestApp({
      extra: [WorkersModule],
      env: { AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1', AUDIT_STREAM_TICK_SECONDS: '1' },
    });
    acme = await aTenant(t.http);
    receiver = await startWebhookReceiver();
    const created = await t.http.post(
      '/v1/admin/audit-streams',
      { name: 'siem', kind: 'webhook', url: receiver.url, batchSize: 2 },
      acme.admin.token,
    );
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret);
    sinkId = created.body.id;
    await receivedAgain(1, 0, 'the first delivery of seq 1');
  });
  afterAll(async () => {
    await receiver.stop();
    await t.close();
  });

  /** How many times the receiver has taken `seq` (a replay resends it). */
  const timesReceived = (seq: number) =>
    receiver.requests
      .filter((r) => r.answered === 200)
      .flatMap((r) => r.items)
      .filter((item) => item['type'] === 'audit_event' && item['seq'] === seq).length;

  function receivedAgain(seq: number, before: number, what: string) {
    return waitUntil(() => timesReceived(seq), {
      what,
      until: (n) => n > before,
      wakeOn: receiver.onRequest,
      timeoutMs: 20_000,
    });
  }

  it('resends the chain from a given seq', async () => {
    const before = timesReceived(1);
    const replayed = await t.http.post(`/v1/admin/audit-streams/${sinkId}/replay`, { fromSeq: 1 }, acme.admin.token);
    expect(replayed.status).toBe(202);
    expect(replayed.body).toEqual({ fromSeq: 1, chain: acme.id });
    await receivedAgain(1, before, 'seq 1 again after the replay from seq 1');
    expect(receiver.problems).toEqual([]);
  });

  it('resends the chain from the first event at or after a time', async () => {
    const before = timesReceived(1);
    const replayed = await t.http.post(
      `/v1/admin/audit-streams/${sinkId}/replay`,
      { fromTime: '2000-01-01T00:00:00Z' },
      acme.admin.token,
    );
    expect(replayed.status).toBe(202);
    expect(replayed.body).toEqual({ fromSeq: 1, chain: acme.id });
    await receivedAgain(1, before, 'seq 1 again after the replay from 2000-01-01');
  });
});
