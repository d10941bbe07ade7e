import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { sample } from '../support/prometheus.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';

/**
 * The audit stream's metrics in the all-in-one process (api and workers together, as `npm start` runs):
 * the workers' counters and the gauges read from PostgreSQL land in the one `/metrics`, labelled by sink id.
 */
describe('audit stream metrics', () => {
  const clock = new ManualClock(new Date());
  let t: TestApp;
  const receivers: WebhookReceiver[] = [];
  const metrics = async () => (await t.http.get<string>('/metrics')).body;

  beforeAll(async () => {
    t = await startTestApp({
      clock,
      workers: [WorkersModule],
      env: {
        AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1',
        AUDIT_STREAM_TICK_SECONDS: '1',
        AUDIT_STREAM_TIMEOUT_SECONDS: '1',
      },
    });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await t.close();
  });

  /** A tenant with a webhook sink of its own, its receiver answering `answer` from the first request. */
  async function aSink(
    extra: Record<string, unknown> = {},
    answer: WebhookReceiver['answer'] = () => ({ status: 200 }),
  ) {
    const tenant = await aTenant(t.http);
    const receiver = await startWebhookReceiver();
    receiver.answer = answer;
    receivers.push(receiver);
    const created = await t.http.post(
      '/v1/admin/audit-streams',
      { name: 'siem', kind: 'webhook', url: receiver.url, ...extra },
      tenant.admin.token,
    );
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret);
    return { id: created.body.id as string, tenant, receiver };
  }

  async function headOf(tenant: TenantFixture): Promise<number> {
    const [row] = await t.sql('select last_seq from audit_chains where chain_key = $1', [tenant.id]);
    return Number(row.last_seq);
  }

  /** Scrapes until the sink's sample satisfies `until`; reads that scrape's samples of the sink. */
  async function scrapeUntil(
    what: string,
    sink: string,
    [name, labels]: [string, Record<string, string>],
    until: (value?: number) => boolean,
  ) {
    const text = await waitUntil(metrics, {
      what,
      until: (scraped) => until(sample(scraped, name, { sink, ...labels })),
    });
    return (metric: string, more: Record<string, string> = {}) => sample(text, metric, { sink, ...more });
  }

  it('counts the events and batches each sink acknowledged, and reports it caught up', async () => {
    const { id: sink, tenant, receiver } = await aSink({ batchSize: 2 });
    await aUser(t.http, tenant);
    const head = await headOf(tenant);
    const of = await scrapeUntil(
      `the sink's delivered events reaching seq ${head}`,
      sink,
      ['stepguard_audit_stream_delivered_events_total', {}],
      (v) => v === head,
    );
    expect(receiver.events()).toHaveLength(head);
    expect(of('stepguard_audit_stream_batches_total', { outcome: 'acknowledged' })).toBeGreaterThanOrEqual(
      Math.ceil(head / 2),
    );
    for (const outcome of ['retry', 'rejected', 'gone']) {
      expect([outcome, of('stepguard_audit_stream_batches_total', { outcome })]).toEqual([outcome, undefined]);
    }
    expect(of('stepguard_audit_stream_lag_events')).toBe(0);
    expect(of('stepguard_audit_stream_lag_seconds')).toBe(0);
    expect(of('stepguard_audit_stream_parked_chains')).toBe(0);
    expect(of('stepguard_audit_stream_sink_state', { state: 'active' })).toBe(1);
    for (const state of ['paused', 'parked', 'disabled']) {
      expect([state, of('stepguard_audit_stream_sink_state', { state })]).toEqual([state, 0]);
    }
  });

  it('reports the lag in events and in seconds while a receiver fails, and counts the retry', async () => {
    const { id: sink, tenant, receiver } = await aSink();
    const caughtUp = await headOf(tenant);
    await scrapeUntil(
      'the sink caught up',
      sink,
      ['stepguard_audit_stream_delivered_events_total', {}],
      (v) => v === caughtUp,
    );
    receiver.answer = () => ({ status: 503, headers: { 'retry-after': '3600' } });
    await aUser(t.http, tenant);
    const head = await headOf(tenant);
    await scrapeUntil(
      'a retry counted',
      sink,
      ['stepguard_audit_stream_batches_total', { outcome: 'retry' }],
      (v) => v === 1,
    );

    clock.advance(90_000);
    const text = await metrics();
    expect(sample(text, 'stepguard_audit_stream_lag_events', { sink })).toBe(head - caughtUp);
    expect(sample(text, 'stepguard_audit_stream_lag_seconds', { sink })).toBe(90);
    expect(sample(text, 'stepguard_audit_stream_delivered_events_total', { sink })).toBe(caughtUp);
    // Failing is not a state of its own: the sink stays active until it pauses after AUDIT_STREAM_PAUSE_AFTER_HOURS.
    expect(sample(text, 'stepguard_audit_stream_sink_state', { sink, state: 'active' })).toBe(1);
  });

  it('reports a chain parked at a refused event, and counts the rejection', async () => {
    const { id: sink } = await aSink({ batchSize: 1 }, () => ({ status: 400, body: 'unparseable' }));
    const of = await scrapeUntil(
      'the sink parked',
      sink,
      ['stepguard_audit_stream_sink_state', { state: 'parked' }],
      (v) => v === 1,
    );
    expect(of('stepguard_audit_stream_sink_state', { state: 'active' })).toBe(0);
    expect(of('stepguard_audit_stream_parked_chains')).toBe(1);
    expect(of('stepguard_audit_stream_batches_total', { outcome: 'rejected' })).toBe(1);
    expect(of('stepguard_audit_stream_lag_events')).toBeGreaterThanOrEqual(1);
  });

  it('counts a receiver that is gone, and reports the sink disabled', async () => {
    const { id: sink } = await aSink({}, () => ({ status: 410 }));
    const of = await scrapeUntil(
      'the sink disabled',
      sink,
      ['stepguard_audit_stream_sink_state', { state: 'disabled' }],
      (v) => v === 1,
    );
    expect(of('stepguard_audit_stream_batches_total', { outcome: 'gone' })).toBe(1);
    expect(of('stepguard_audit_stream_sink_state', { state: 'active' })).toBe(0);
  });

  it("reports a paused sink, and drops a deleted sink's gauges", async () => {
    const { id: sink, tenant } = await aSink();
    const paused = await t.http.post(`/v1/admin/audit-streams/${sink}/pause`, undefined, tenant.admin.token);
    expect(paused.status).toBe(200);
    let text = await metrics();
    expect(sample(text, 'stepguard_audit_stream_sink_state', { sink, state: 'paused' })).toBe(1);
    expect(sample(text, 'stepguard_audit_stream_sink_state', { sink, state: 'active' })).toBe(0);

    expect((await t.http.delete(`/v1/admin/audit-streams/${sink}`, tenant.admin.token)).status).toBe(204);
    text = await metrics();
    for (const name of ['lag_events', 'lag_seconds', 'parked_chains', 'sink_state']) {
      expect([name, sample(text, `stepguard_audit_stream_${name}`, { sink })]).toEqual([name, undefined]);
    }
  });

  it('keeps one series per sink, never one per chain: a platform sink sums the lag of every chain', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    receiver.answer = () => ({ status: 503, headers: { 'retry-after': '3600' } });
    const created = await t.http.post(
      '/v1/operator/audit-streams',
      { name: 'platform siem', kind: 'webhook', url: receiver.url },
      t.operatorToken,
    );
    expect(created.status).toBe(201);
    const sink = created.body.id as string;
    const chains = await t.sql('select count(*)::int as n from audit_sink_cursors where sink_id = $1', [sink]);
    expect(chains[0].n).toBeGreaterThan(5);

    const text = await metrics();
    const series = text.split('\n').filter((line) => line.includes(`sink="${sink}"`) && !line.startsWith('#'));
    expect(series.filter((line) => line.startsWith('stepguard_audit_stream_lag_events'))).toHaveLength(1);
    expect(sample(text, 'stepguard_audit_stream_lag_events', { sink })).toBeGreaterThan(0);
    expect(text).not.toMatch(/^stepguard_audit_stream_\w+\{[^}]*chain=/m);
  });
});
