import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { EgressAllowList } from '../../src/audit/stream/egress/egress-allow-list.js';
import { EgressGuard } from '../../src/audit/stream/egress/egress-guard.js';
import type { Delivery, StreamBatch } from '../../src/audit/stream/sink-transport.js';
import {
  SplunkHecTransport,
  type SplunkHecTransportOptions,
} from '../../src/audit/stream/transports/splunk-hec.transport.js';
import { startHecReceiver, type HecReceiver } from '../support/hec-receiver.js';
import { aCheckpointItem, anEventItem, renderPlainly } from '../support/stream-items.js';
import { waitUntil } from '../support/wait.js';

const TOKEN = '3f1b7c2e-5a4d-4e8f-9b0a-1c2d3e4f5a6b';
const loopbackAllowed = new EgressGuard({ allow: EgressAllowList.parse('127.0.0.1') });
const batchOf = (...seqs: number[]): StreamBatch => ({ id: randomUUID(), items: seqs.map((seq) => anEventItem(seq)) });

function harness(receiverOptions: { ack?: boolean; disabled?: boolean } = {}) {
  const state = { receiver: undefined as unknown as HecReceiver, transports: [] as SplunkHecTransport[] };
  beforeAll(async () => {
    state.receiver = await startHecReceiver({ token: TOKEN, ...receiverOptions });
  });
  afterEach(async () => {
    await Promise.all(state.transports.splice(0).map((t) => t.close()));
    const { receiver } = state;
    receiver.events.length = 0;
    receiver.requests.length = 0;
    receiver.ackQueries.length = 0;
    receiver.holdIndexing = false;
    receiver.override = undefined;
  });
  afterAll(() => state.receiver.close());
  const transport = (options: Partial<SplunkHecTransportOptions> = {}) => {
    const made = new SplunkHecTransport({
      url: state.receiver.url,
      token: TOKEN,
      render: renderPlainly,
      guard: loopbackAllowed,
      ...options,
    });
    state.transports.push(made);
    return made;
  };
  return { state, transport };
}

describe('SplunkHecTransport', () => {
  const { state, transport } = harness();

  it('posts one event envelope per item, concatenated, with the Splunk token', async () => {
    const batch: StreamBatch = {
      id: randomUUID(),
      items: [anEventItem(1), anEventItem(2), aCheckpointItem(2, { number: 1 })],
    };
    const sender = transport({ host: 'stepguard.example', index: 'security', sourcetype: 'stepguard:ocsf' });
    expect(await sender.deliver(batch)).toEqual({ outcome: 'acknowledged' });
    const [request] = state.receiver.requests;
    expect(request!.path).toBe('/services/collector/event');
    expect(request!.headers.authorization).toBe(`Splunk ${TOKEN}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^Stepguard/);
    expect(request!.body.startsWith('{"time":')).toBe(true);
    expect(state.receiver.events).toEqual([
      {
        time: 1893499201,
        host: 'stepguard.example',
        source: 'stepguard',
        sourcetype: 'stepguard:ocsf',
        index: 'security',
        event: renderPlainly(batch.items[0]!),
      },
      expect.objectContaining({ time: 1893499202, event: renderPlainly(batch.items[1]!) }),
      expect.objectContaining({ time: 1893499500, event: renderPlainly(batch.items[2]!) }),
    ]);
  });

  it('leaves the index to the token unless one is set, and names this host by default', async () => {
    await transport().deliver(batchOf(1));
    const [envelope] = state.receiver.events;
    expect(envelope).not.toHaveProperty('index');
    expect(envelope).toMatchObject({ source: 'stepguard', sourcetype: 'stepguard:audit', host: expect.any(String) });
  });

  it.each(['', '/services/collector', '/services/collector/', '/services/collector/event'])(
    'takes the HEC URL with %j as its path',
    async (path) => {
      expect(await transport({ url: `${state.receiver.url}${path}` }).deliver(batchOf(1))).toEqual({
        outcome: 'acknowledged',
      });
      expect(state.receiver.requests[0]!.path).toBe('/services/collector/event');
    },
  );

  it('rejects on a wrong token (403, code 4): the sink parks until an admin fixes it', async () => {
    expect(await transport({ token: 'wrong-token' }).deliver(batchOf(1))).toEqual({
      outcome: 'rejected',
      error: 'Splunk HEC answered 403: Invalid token (HEC code 4)',
    });
  });

  it('rejects on invalid data (400, code 6), with what Splunk said', async () => {
    state.receiver.override = () => ({
      status: 400,
      body: { text: 'Invalid data format', code: 6, 'invalid-event-number': 1 },
    });
    expect(await transport().deliver(batchOf(1, 2))).toEqual({
      outcome: 'rejected',
      error: 'Splunk HEC answered 400: Invalid data format (HEC code 6)',
    });
  });

  it('retries when HEC is busy (503, code 9), after Retry-After when it says', async () => {
    state.receiver.override = () => ({
      status: 503,
      body: { text: 'Server is busy', code: 9 },
      headers: { 'retry-after': '5' },
    });
    expect(await transport().deliver(batchOf(1))).toEqual({
      outcome: 'retry',
      error: 'Splunk HEC answered 503: Server is busy (HEC code 9)',
      retryAfterMs: 5000,
    });
  });

  it('never repeats the token, even when the receiver echoes it', async () => {
    state.receiver.override = (request) => ({ status: 400, body: `bad request from ${request.headers.authorization}` });
    const delivery = (await transport().deliver(batchOf(1))) as Extract<Delivery, { error: string }>;
    expect(delivery.outcome).toBe('rejected');
    expect(delivery.error).not.toContain(TOKEN);
    expect(delivery.error).toContain('Splunk [redacted]');
  });

  it('refuses a HEC URL on loopback unless the operator allows it', async () => {
    expect(await transport({ guard: new EgressGuard() }).deliver(batchOf(1))).toEqual({
      outcome: 'rejected',
      error: expect.stringContaining('127.0.0.1 is a loopback address'),
    });
    expect(state.receiver.requests).toHaveLength(0);
  });
});

describe('SplunkHecTransport: a disabled token', () => {
  const { transport } = harness({ disabled: true });

  it('rejects (403, code 1), so the admin sees it rather than the sink retrying for a day', async () => {
    expect(await transport().deliver(batchOf(1))).toEqual({
      outcome: 'rejected',
      error: 'Splunk HEC answered 403: Token disabled (HEC code 1)',
    });
  });
});

describe('SplunkHecTransport: indexer acknowledgement', () => {
  const { state, transport } = harness({ ack: true });

  it('answers acknowledged only once the ack endpoint says the batch is indexed', async () => {
    state.receiver.holdIndexing = true;
    const sender = transport({ indexerAck: true, ackPollMs: 5 });
    let settled: Delivery | undefined;
    const delivery = sender.deliver(batchOf(1, 2)).then((d) => (settled = d));
    await waitUntil(() => state.receiver.ackQueries.length >= 2, { what: 'the transport asking for its ackId twice' });
    expect(settled).toBeUndefined();
    state.receiver.indexAll();
    expect(await delivery).toEqual({ outcome: 'acknowledged' });
    const [sent] = state.receiver.requests;
    const channel = sent!.headers['x-splunk-request-channel'];
    expect(channel).toMatch(/^[0-9a-f-]{36}$/);
    for (const query of state.receiver.ackQueries) {
      expect(query.path).toBe('/services/collector/ack');
      expect(query.headers['x-splunk-request-channel']).toBe(channel);
      expect(query.headers.authorization).toBe(`Splunk ${TOKEN}`);
      expect(JSON.parse(query.body)).toEqual({ acks: [0] });
    }
  });

  it('asks about the ackId of each request on its one channel', async () => {
    const sender = transport({ indexerAck: true, ackPollMs: 1 });
    expect(await sender.deliver(batchOf(1))).toEqual({ outcome: 'acknowledged' });
    expect(await sender.deliver(batchOf(2))).toEqual({ outcome: 'acknowledged' });
    expect(state.receiver.ackQueries.map((q) => JSON.parse(q.body))).toEqual([{ acks: [0] }, { acks: [1] }]);
  });

  it('sends the sticky cookie back, so a load balancer routes the ack query to the indexer that has the ackId', async () => {
    await transport({ indexerAck: true, ackPollMs: 1 }).deliver(batchOf(1));
    expect(state.receiver.ackQueries[0]!.headers.cookie).toBe('hec_node=indexer-1');
  });

  it('retries a batch Splunk has not indexed within ackTimeoutMs', async () => {
    state.receiver.holdIndexing = true;
    const delivery = await transport({ indexerAck: true, ackPollMs: 10, ackTimeoutMs: 200 }).deliver(batchOf(1));
    expect(delivery).toEqual({
      outcome: 'retry',
      error: 'Splunk HEC did not confirm indexing of ackId 0 within 200 ms (not indexed yet)',
    });
    expect(state.receiver.ackQueries.length).toBeGreaterThan(0);
  });

  it('stops waiting for an ack when the transport closes', async () => {
    state.receiver.holdIndexing = true;
    const sender = transport({ indexerAck: true, ackPollMs: 1, ackTimeoutMs: 60_000 });
    const delivery = sender.deliver(batchOf(1));
    await waitUntil(() => state.receiver.ackQueries.length >= 1, { what: 'the first ack query' });
    await sender.close();
    expect(await delivery).toEqual({
      outcome: 'retry',
      error: 'the sink closed while waiting for Splunk HEC to index ackId 0',
    });
  });

  it('needs a channel: without acknowledgement on the sink, this token refuses (400, code 10)', async () => {
    expect(await transport({ indexerAck: false }).deliver(batchOf(1))).toEqual({
      outcome: 'rejected',
      error: 'Splunk HEC answered 400: Data channel is missing (HEC code 10)',
    });
  });
});

describe('SplunkHecTransport: acknowledgement on the sink but not on the token', () => {
  const { transport } = harness({ ack: false });

  it('rejects with what to change, since no ackId will ever come', async () => {
    expect(await transport({ indexerAck: true }).deliver(batchOf(1))).toEqual({
      outcome: 'rejected',
      error:
        'Splunk HEC took the batch but returned no ackId: turn on indexer acknowledgement for the HEC token, ' +
        'or turn it off for this sink',
    });
  });
});
