import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/common/clock.js';
import { EgressAllowList } from '../../src/audit/stream/egress/egress-allow-list.js';
import { EgressGuard } from '../../src/audit/stream/egress/egress-guard.js';
import type { StreamBatch } from '../../src/audit/stream/sink-transport.js';
import { generateWebhookSecret } from '../../src/audit/stream/transports/webhook-signature.js';
import { WebhookTransport, type WebhookTransportOptions } from '../../src/audit/stream/transports/webhook.transport.js';
import { freePort } from '../support/free-port.js';
import { loopbackServerCertificate } from '../support/test-certificates.js';
import { aCheckpointItem, anEventItem, renderPlainly } from '../support/stream-items.js';
import { waitUntil } from '../support/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/** The receivers of these tests are on loopback, which the operator allows here as for an on-premises SIEM. */
const loopbackAllowed = new EgressGuard({ allow: EgressAllowList.parse('127.0.0.1') });

const batchOf = (...seqs: number[]): StreamBatch => ({ id: randomUUID(), items: seqs.map((seq) => anEventItem(seq)) });

describe('WebhookTransport (Standard Webhooks v1, to a receiver that verifies with the reference library)', () => {
  const secret = generateWebhookSecret();
  let receiver: WebhookReceiver;
  const transports: WebhookTransport[] = [];
  const transport = (options: Partial<WebhookTransportOptions> = {}) => {
    const made = new WebhookTransport({
      url: receiver.url,
      secrets: [secret],
      batched: true,
      render: renderPlainly,
      guard: loopbackAllowed,
      ...options,
    });
    transports.push(made);
    return made;
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver([secret]);
  });
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
    receiver.received.length = 0;
    receiver.answer = (_request, response) => response.writeHead(204).end();
  });
  afterAll(() => receiver.close());

  it('posts a batch as a JSON array of rendered items, signed so that standardwebhooks verifies it', async () => {
    const batch: StreamBatch = {
      id: randomUUID(),
      items: [anEventItem(1), anEventItem(2), aCheckpointItem(2, { number: 1 })],
    };
    expect(await transport().deliver(batch)).toEqual({ outcome: 'acknowledged' });
    const [request] = receiver.received;
    expect(request!.verifiedBy).toEqual([0]);
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/hook');
    expect(request!.headers['webhook-id']).toBe(batch.id);
    expect(request!.headers['webhook-timestamp']).toMatch(/^[0-9]{10}$/);
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^Stepguard/);
    expect(JSON.parse(request!.body)).toEqual(batch.items.map(renderPlainly));
  });

  it('posts the rendered item alone when the sink does not batch', async () => {
    const batch = batchOf(7);
    expect(await transport({ batched: false }).deliver(batch)).toEqual({ outcome: 'acknowledged' });
    expect(receiver.received[0]!.verifiedBy).toEqual([0]);
    expect(JSON.parse(receiver.received[0]!.body)).toEqual(renderPlainly(batch.items[0]!));
  });

  it('refuses to send several items to a sink that does not batch', async () => {
    await expect(transport({ batched: false }).deliver(batchOf(1, 2))).rejects.toThrow(TypeError);
    expect(receiver.received).toHaveLength(0);
  });

  it('sends a retried batch under the same webhook-id, signed afresh at the time of the attempt', async () => {
    const clock = new ManualClock(new Date());
    const sender = transport({ clock });
    const batch = batchOf(3, 4);
    receiver.answer = (_request, response, n) => response.writeHead(n === 1 ? 503 : 200).end();
    expect((await sender.deliver(batch)).outcome).toBe('retry');
    clock.advance(61_000);
    expect(await sender.deliver(batch)).toEqual({ outcome: 'acknowledged' });
    const [first, second] = receiver.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(Number(second!.headers['webhook-timestamp']) - Number(first!.headers['webhook-timestamp'])).toBe(61);
    expect(second!.headers['webhook-signature']).not.toBe(first!.headers['webhook-signature']);
    expect(second!.body).toBe(first!.body);
    expect([first!.verifiedBy, second!.verifiedBy]).toEqual([[0], [0]]);
  });

  it('signs with the clock it is given: a timestamp out of tolerance fails verification', async () => {
    await transport({ clock: new ManualClock('2001-01-01T00:00:00Z') }).deliver(batchOf(1));
    expect(receiver.received[0]!.headers['webhook-timestamp']).toBe('978307200');
    expect(receiver.received[0]!.verifiedBy).toEqual([]);
  });

  it('reuses its kept-alive connection for the next batch', async () => {
    const sender = transport();
    await sender.deliver(batchOf(1));
    await sender.deliver(batchOf(2));
    expect(receiver.received[1]!.remotePort).toBe(receiver.received[0]!.remotePort);
  });
});

describe('WebhookTransport: secret rotation', () => {
  const [oldSecret, newSecret, strangerSecret] = [
    generateWebhookSecret(),
    generateWebhookSecret(),
    generateWebhookSecret(),
  ];
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    // Three receivers in one: one that knows only the new secret, one only the old, one neither.
    receiver = await startWebhookReceiver([newSecret, oldSecret, strangerSecret]);
  });
  afterAll(() => receiver.close());

  it('signs with both secrets during the overlap, so a receiver holding either one verifies', async () => {
    const sender = new WebhookTransport({
      url: receiver.url,
      secrets: [newSecret, oldSecret],
      batched: true,
      render: renderPlainly,
      guard: loopbackAllowed,
    });
    expect(await sender.deliver(batchOf(1, 2))).toEqual({ outcome: 'acknowledged' });
    await sender.close();
    const [request] = receiver.received;
    expect(request!.headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(request!.verifiedBy).toEqual([0, 1]);
  });

  it('after the overlap signs with the new secret only, which a receiver with only the old one refuses', async () => {
    receiver.received.length = 0;
    const sender = new WebhookTransport({
      url: receiver.url,
      secrets: [newSecret],
      batched: true,
      render: renderPlainly,
      guard: loopbackAllowed,
    });
    await sender.deliver(batchOf(3));
    await sender.close();
    expect(receiver.received[0]!.verifiedBy).toEqual([0]);
  });

  it.each([
    ['no whsec_ prefix', 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'],
    ['too short a key', `whsec_${Buffer.alloc(16, 1).toString('base64')}`],
    ['not base64', 'whsec_not base64 at all, not at all!!'],
  ])('refuses a secret with %s, without repeating it', (_case, secret) => {
    const make = () =>
      new WebhookTransport({
        url: receiver.url,
        secrets: [secret],
        batched: true,
        render: renderPlainly,
        guard: loopbackAllowed,
      });
    expect(make).toThrow(TypeError);
    expect(() => make()).not.toThrow(secret);
  });
});

describe('WebhookTransport: what an answer means', () => {
  const secret = generateWebhookSecret();
  let receiver: WebhookReceiver;
  let sender: WebhookTransport;
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  beforeAll(async () => {
    receiver = await startWebhookReceiver([secret]);
    sender = new WebhookTransport({
      url: receiver.url,
      secrets: [secret],
      batched: true,
      render: renderPlainly,
      guard: loopbackAllowed,
      clock,
    });
  });
  afterEach(() => {
    receiver.received.length = 0;
  });
  afterAll(async () => {
    await sender.close();
    await receiver.close();
  });
  const answering = (status: number, headers: Record<string, string> = {}, body = '') => {
    receiver.answer = (_request, response) => response.writeHead(status, headers).end(body);
  };

  it.each([200, 201, 202, 204, 299])('%d: acknowledged', async (status) => {
    answering(status);
    expect(await sender.deliver(batchOf(1))).toEqual({ outcome: 'acknowledged' });
  });

  it.each([408, 429, 500, 502, 503, 504])('%d: retry, with the status in the error', async (status) => {
    answering(status, { 'content-type': 'text/plain' }, 'try later');
    expect(await sender.deliver(batchOf(1))).toEqual({
      outcome: 'retry',
      error: `the receiver answered ${status}: try later`,
    });
  });

  it('429 with Retry-After in seconds: retry after that long', async () => {
    answering(429, { 'retry-after': '30' });
    expect(await sender.deliver(batchOf(1))).toMatchObject({ outcome: 'retry', retryAfterMs: 30_000 });
  });

  it('503 with Retry-After as an HTTP-date: retry at that time', async () => {
    answering(503, { 'retry-after': new Date(clock.now().getTime() + 120_000).toUTCString() });
    expect(await sender.deliver(batchOf(1))).toMatchObject({ outcome: 'retry', retryAfterMs: 120_000 });
  });

  it('410: gone, the sink is to be disabled', async () => {
    answering(410, {}, 'endpoint deleted');
    expect(await sender.deliver(batchOf(1))).toEqual({
      outcome: 'gone',
      error: 'the receiver answered 410: endpoint deleted',
    });
  });

  it.each([400, 401, 403, 404, 413, 422])(
    '%d: rejected, with the status and what the receiver said',
    async (status) => {
      answering(status, { 'content-type': 'application/json' }, '{"error":"schema mismatch",\n\t"field":"seq"}');
      expect(await sender.deliver(batchOf(1))).toEqual({
        outcome: 'rejected',
        error: `the receiver answered ${status}: {"error":"schema mismatch", "field":"seq"}`,
      });
    },
  );

  it.each([301, 302, 303, 307, 308])('%d: rejected, and the redirect is not followed', async (status) => {
    answering(status, { location: `http://127.0.0.1:${receiver.port}/elsewhere?token=abc` });
    expect(await sender.deliver(batchOf(1))).toEqual({
      outcome: 'rejected',
      error: `the receiver answered ${status}, a redirect to http://127.0.0.1:${receiver.port}; redirects are not followed: point the sink at the final URL`,
    });
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook']);
  });

  it('blanks the sink secret should a receiver echo it', async () => {
    answering(400, {}, `unknown secret ${secret}`);
    expect(await sender.deliver(batchOf(1))).toEqual({
      outcome: 'rejected',
      error: 'the receiver answered 400: unknown secret [redacted]',
    });
  });

  it('keeps a long answer to a short, printable excerpt', async () => {
    answering(400, {}, `bad\u0000\u001b[31m ${'x'.repeat(5000)}`);
    const delivery = await sender.deliver(batchOf(1));
    expect(delivery.outcome).toBe('rejected');
    const { error } = delivery as { error: string };
    expect(error.startsWith('the receiver answered 400: bad [31m xxx')).toBe(true);
    expect(error.length).toBeLessThan(260);
    expect(error).not.toMatch(/\p{Cc}/u);
  });
});

describe('WebhookTransport: bounded in time and size', () => {
  const secret = generateWebhookSecret();
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver([secret]);
  });
  afterAll(() => receiver.close());
  const sender = (options: Partial<WebhookTransportOptions>) =>
    new WebhookTransport({
      url: receiver.url,
      secrets: [secret],
      batched: true,
      render: renderPlainly,
      guard: loopbackAllowed,
      ...options,
    });

  it('gives up on a receiver that never answers: retry with a timeout error', async () => {
    receiver.answer = () => undefined;
    const hung = sender({ timeoutMs: 300 });
    const delivery = await hung.deliver(batchOf(1));
    await hung.close();
    expect(delivery).toEqual({
      outcome: 'retry',
      error: `timeout: no answer from 127.0.0.1:${receiver.port} within 300 ms`,
    });
    expect(receiver.received).toHaveLength(1);
  });

  it('reads at most maxResponseBytes of an endless answer, then drops the connection', async () => {
    let closed = false;
    receiver.answer = (_request, response) => {
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.on('close', () => (closed = true));
      const chunk = Buffer.alloc(16 * 1024, 'y');
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      pump();
    };
    // The deadline is far away: only the size cap can end this exchange in time.
    const capped = sender({ maxResponseBytes: 4096, timeoutMs: 20_000 });
    const delivery = await capped.deliver(batchOf(1));
    expect(delivery).toEqual({
      outcome: 'rejected',
      error: expect.stringMatching(/^the receiver answered 400: y{200}…$/),
    });
    await waitUntil(() => closed, { what: 'the receiver seeing its endless answer cut off' });
    await capped.close();
  });

  it('takes a 2xx as acknowledged even when its body is cut at the cap', async () => {
    receiver.answer = (_request, response) => response.writeHead(200).end(Buffer.alloc(64 * 1024, 'z'));
    const capped = sender({ maxResponseBytes: 1024 });
    expect(await capped.deliver(batchOf(1))).toEqual({ outcome: 'acknowledged' });
    await capped.close();
  });

  it('retries when nobody listens', async () => {
    const port = await freePort();
    const nowhere = sender({ url: `http://127.0.0.1:${port}/hook` });
    expect(await nowhere.deliver(batchOf(1))).toEqual({
      outcome: 'retry',
      error: expect.stringMatching(new RegExp(`^could not reach 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)),
    });
    await nowhere.close();
  });
});

describe('WebhookTransport: egress safety', () => {
  const secret = generateWebhookSecret();
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver([secret]);
  });
  afterEach(() => {
    receiver.received.length = 0;
  });
  afterAll(() => receiver.close());
  const deliverVia = async (url: string, guard: EgressGuard) => {
    const sender = new WebhookTransport({ url, secrets: [secret], batched: true, render: renderPlainly, guard });
    try {
      return await sender.deliver(batchOf(1));
    } finally {
      await sender.close();
    }
  };

  it.each([
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}/hook`, 'loopback'],
    ['::1', (port: number) => `http://[::1]:${port}/hook`, 'loopback'],
    ['::ffff:127.0.0.1', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`, 'loopback'],
    ['2130706433 (127.0.0.1 in decimal)', (port: number) => `http://2130706433:${port}/hook`, 'loopback'],
    ['169.254.169.254', () => 'http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['10.0.0.1', () => 'http://10.0.0.1/hook', 'private'],
  ])('refuses %s without connecting: rejected, so the sink parks with the reason', async (_name, url, range) => {
    const delivery = await deliverVia(url(receiver.port), new EgressGuard());
    expect(delivery).toEqual({ outcome: 'rejected', error: expect.stringContaining(`a ${range} address`) });
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a name that resolves to loopback, at connect time', async () => {
    const delivery = await deliverVia(`http://localhost:${receiver.port}/hook`, new EgressGuard());
    expect(delivery).toEqual({
      outcome: 'rejected',
      error: expect.stringMatching(/^localhost resolves to .*, a loopback address; .*AUDIT_STREAM_EGRESS_ALLOW/),
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a name whose DNS answer is re-pointed at loopback after the sink was saved', async () => {
    let answer = '93.184.215.14';
    const guard = new EgressGuard({ resolve: async () => [{ address: answer, family: 4 }] });
    await expect(guard.vetSinkUrl(`http://siem.example.com:${receiver.port}/hook`)).resolves.toBeInstanceOf(URL);
    answer = '127.0.0.1';
    const delivery = await deliverVia(`http://siem.example.com:${receiver.port}/hook`, guard);
    expect(delivery).toEqual({ outcome: 'rejected', error: expect.stringContaining('resolves to 127.0.0.1') });
    expect(receiver.received).toHaveLength(0);
  });

  it('connects when the operator allows the address, by block or by name', async () => {
    const byBlock = new EgressGuard({ allow: EgressAllowList.parse('127.0.0.0/8,::1') });
    expect(await deliverVia(`http://localhost:${receiver.port}/hook`, byBlock)).toEqual({ outcome: 'acknowledged' });
    const dns = async () => [{ address: '127.0.0.1', family: 4 }];
    const byName = new EgressGuard({ resolve: dns, allow: EgressAllowList.parse('siem.corp.example') });
    expect(await deliverVia(`http://siem.corp.example:${receiver.port}/hook`, byName)).toEqual({
      outcome: 'acknowledged',
    });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers.host).toBe(`siem.corp.example:${receiver.port}`);
  });

  it('refuses plain http in production, even to an allowed address', async () => {
    const production = new EgressGuard({ requireTls: true, allow: EgressAllowList.parse('127.0.0.1') });
    expect(await deliverVia(receiver.url, production)).toEqual({
      outcome: 'rejected',
      error: 'The sink URL must use https (NODE_ENV=production)',
    });
    expect(receiver.received).toHaveLength(0);
  });
});

describe('WebhookTransport over TLS', () => {
  const secret = generateWebhookSecret();
  const certificate = loopbackServerCertificate();
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver([secret], certificate);
  });
  afterAll(() => receiver.close());
  // What production allows: https only, loopback here standing in for an allowed on-premises address.
  const production = new EgressGuard({ requireTls: true, allow: EgressAllowList.parse('127.0.0.1') });
  const deliverWith = async (ca: string | undefined) => {
    const sender = new WebhookTransport({
      url: receiver.url,
      secrets: [secret],
      batched: true,
      render: renderPlainly,
      guard: production,
      ...(ca ? { ca } : {}),
    });
    try {
      return await sender.deliver(batchOf(1));
    } finally {
      await sender.close();
    }
  };

  it('delivers to a receiver whose certificate a private CA issued, once the sink trusts that CA', async () => {
    expect(await deliverWith(certificate.ca)).toEqual({ outcome: 'acknowledged' });
    expect(receiver.received.at(-1)!.verifiedBy).toEqual([0]);
  });

  it('retries with the TLS error when it cannot trust the certificate, and sends nothing', async () => {
    const before = receiver.received.length;
    expect(await deliverWith(undefined)).toEqual({
      outcome: 'retry',
      error: expect.stringMatching(/^could not reach 127\.0\.0\.1:\d+: .*(certificate|UNABLE_TO_VERIFY|SELF_SIGNED)/i),
    });
    expect(receiver.received).toHaveLength(before);
  });
});
