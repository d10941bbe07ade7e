import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { WorkersModule } from '../../workers/workers.module.js';

/**
 * A delivery cut short (its worker killed, or PostgreSQL gone before it could release the pair) leaves its
 * lease to run out. The next wake-up finds the pair held: the worker must look again when the lease ends,
 * not at the tick, which here is 5 minutes away.
 */
describe('audit stream: a lease left behind', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let receiver: WebhookReceiver;
  let sinkId: string;

  beforeAll(async () => {
    t = await startTestApp({
      extra: [WorkersModule],
      env: { AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1', AUDIT_STREAM_TICK_SECONDS: '300' },
    });
    acme = await aTenant(t.http);
    receiver = await startWebhookReceiver();
    const created = await t.http.post(
      '/v1/admin/audit-streams',
      { name: 'siem', kind: 'webhook', url: receiver.url },
      acme.admin.token,
    );
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret);
    sinkId = created.body.id;
  });
  afterAll(async () => {
    await receiver?.stop();
    await t?.close();
  });

  const head = async () =>
    Number(
      (await t.sql<{ last_seq: string }>('select last_seq from audit_chains where chain_key = $1', [acme.id]))[0]!
        .last_seq,
    );
  const delivered = (seq: number) =>
    waitUntil(() => receiver.events().map((e) => Number(e['seq'])), {
      what: `acme's chain through seq ${seq} at the receiver`,
      until: (seqs) => seqs.includes(seq),
      wakeOn: receiver.onRequest,
      timeoutMs: 20_000,
    });

  it('delivers what was appended meanwhile as soon as the lease runs out', async () => {
    await delivered(await head());
    await waitUntil(
      () =>
        t.sql<{ idle: boolean }>('select lease_until is null as idle from audit_sink_cursors where sink_id = $1', [
          sinkId,
        ]),
      { what: 'the first delivery letting go of the pair', until: ([cursor]) => cursor?.idle === true },
    );
    // What a delivery cut short leaves: a lease by a token nobody holds any more.
    const [{ lease_until: leaseUntil }] = await t.sql<{ lease_until: Date }>(
      `update audit_sink_cursors set lease_token = gen_random_uuid(), lease_until = now() + interval '3 seconds'
        where sink_id = $1 returning lease_until`,
      [sinkId],
    );
    await aUser(t.http, acme);
    await delivered(await head());
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(leaseUntil).getTime());
    expect(receiver.problems).toEqual([]);
  });
});
