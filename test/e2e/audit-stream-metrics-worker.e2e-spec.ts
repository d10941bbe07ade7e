import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, type TenantFixture } from '../support/builders.js';
import { type Cluster, startCluster } from '../support/cluster.js';
import { freePort } from '../support/free-port.js';
import { HttpClient } from '../support/http.js';
import { sample } from '../support/prometheus.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { waitUntil } from '../support/wait.js';

/**
 * An api process and a worker process apart, as docker-compose and Kubernetes run them: the counters of
 * deliveries live in the worker that made them and are served on its WORKER_METRICS_PORT; the api's
 * `/metrics` reports each sink's lag and state from PostgreSQL, and no delivery counters it cannot know.
 */
describe('audit stream metrics with the workers in a process of their own', () => {
  let cluster: Cluster;
  let worker: HttpClient;
  let api: HttpClient;
  let receiver: WebhookReceiver;
  let tenant: TenantFixture;
  let sink: string;

  beforeAll(async () => {
    const port = await freePort();
    cluster = await startCluster({
      apiNodes: 1,
      workers: 1,
      env: {
        WORKER_METRICS_PORT: String(port),
        AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1',
        AUDIT_STREAM_TICK_SECONDS: '1',
      },
    });
    await cluster.workers[0]!.waitFor(/worker metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
    worker = new HttpClient(`http://127.0.0.1:${port}`);
    api = cluster.nodes[0]!.http;
    receiver = await startWebhookReceiver();
    tenant = await aTenant(api);
    const created = await api.post(
      '/v1/admin/audit-streams',
      { name: 'siem', kind: 'webhook', url: receiver.url },
      tenant.admin.token,
    );
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret);
    sink = created.body.id;
  });
  afterAll(async () => {
    await receiver?.stop();
    await cluster?.close();
  });

  it("serves the worker's delivery counters on its own metrics port", async () => {
    const [{ last_seq }] = await cluster.sql('select last_seq from audit_chains where chain_key = $1', [tenant.id]);
    const head = Number(last_seq);
    const text = await waitUntil(async () => (await worker.get<string>('/metrics')).body, {
      what: `the worker's counter reaching seq ${head}`,
      until: (scraped) => sample(scraped, 'stepguard_audit_stream_delivered_events_total', { sink }) === head,
      timeoutMs: 20_000,
    });
    expect(receiver.problems).toEqual([]);
    expect(sample(text, 'stepguard_audit_stream_batches_total', { sink, outcome: 'acknowledged' })).toBeGreaterThan(0);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // The gauges come from PostgreSQL and belong to the api: one place to read them, whatever the replicas.
    expect(text).not.toContain('stepguard_audit_stream_lag_events');
    expect((await worker.get('/anything-else')).status).toBe(404);
  });

  it("answers an orchestrator's probes on the same port: /healthz, and /readyz with PostgreSQL and Redis", async () => {
    expect(await worker.get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await worker.get('/readyz')).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { database: 'up', redis: 'up' } },
    });
  });

  it("reports the sink's lag and state on the api, without counters the api process cannot know", async () => {
    const text = (await api.get<string>('/metrics')).body;
    expect(sample(text, 'stepguard_audit_stream_lag_events', { sink })).toBe(0);
    expect(sample(text, 'stepguard_audit_stream_sink_state', { sink, state: 'active' })).toBe(1);
    expect(text).not.toContain('stepguard_audit_stream_delivered_events_total');
    expect(text).not.toContain('stepguard_audit_stream_batches_total');
  });
});
