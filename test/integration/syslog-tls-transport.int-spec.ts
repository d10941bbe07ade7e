import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';
import type { SinkTransport, StreamBatch } from '../../src/audit/stream/sink-transport.js';
import type { StreamItem } from '../../src/audit/stream/stream-item.js';
import {
  createSyslogTlsTransport,
  type SyslogTlsOptions,
} from '../../src/audit/stream/transports/syslog-tls.transport.js';
import { sendQueueOf } from '../../src/audit/stream/transports/tcp-send-queue.js';
import { freePort } from '../support/free-port.js';
import { Rsyslog, type ReceivedMessage } from '../support/rsyslog.js';
import { aCheckpointItem, anEventItem } from '../support/stream-items.js';
import { type Issued, TestCa } from '../support/test-pki.js';
import { waitUntil } from '../support/wait.js';

const json = (item: StreamItem) => JSON.stringify(item.kind === 'event' ? item.event : item.checkpoint);

/** A CEF line as a SIEM reads it: header fields escape `|` and `\`, extension values `=` and `\`. */
const cef = (item: StreamItem) => {
  if (item.kind !== 'event')
    return `CEF:0|Stepguard|Stepguard|1.0|checkpoint|Audit checkpoint|1|cs1=${item.checkpoint.seq}`;
  const header = (v: string) => v.replace(/[\\|]/g, (c) => `\\${c}`);
  const ext = (v: string) => v.replace(/[\\=]/g, (c) => `\\${c}`);
  const { event } = item;
  return (
    `CEF:0|Stepguard|Stepguard|1.0|${header(event.action)}|${header(`${event.action} | by admin`)}|3|` +
    `externalId=${event.id} cs1Label=seq cs1=${event.seq} requestClientApplication=${ext(event.userAgent ?? '')}`
  );
};

const batchOf = (...items: StreamItem[]): StreamBatch => ({ id: `batch-${items.length}`, items });

/** The SHA-256 of the certificate's SPKI, by the openssl recipe the docs give admins. */
async function opensslPin(certFile: string): Promise<string> {
  const { stdout } = await promisify(execFile)('sh', [
    '-c',
    `openssl x509 -in '${certFile}' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`,
  ]);
  return stdout.trim();
}

let ca: TestCa;
let otherCa: TestCa;
let server: Issued;
let client: Issued;
let strangerClient: Issued;
let rsyslog: Rsyslog;
let mtlsRsyslog: Rsyslog;
const opened: SinkTransport[] = [];

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([TestCa.create('stepguard-test-ca'), TestCa.create('someone-else-ca')]);
  [server, client, strangerClient] = await Promise.all([ca.server(), ca.client(), otherCa.client()]);
  [rsyslog, mtlsRsyslog] = await Promise.all([
    Rsyslog.start({ ca, server }),
    Rsyslog.start({ ca, server, requireClientCert: true }),
  ]);
}, 60_000);

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
});

afterAll(async () => {
  await Promise.all([rsyslog?.dispose(), mtlsRsyslog?.dispose(), ca?.dispose(), otherCa?.dispose()]);
});

function transportTo(receiver: { port: number }, options: Partial<SyslogTlsOptions> = {}): SinkTransport {
  const transport = createSyslogTlsTransport({
    host: '127.0.0.1',
    port: receiver.port,
    ca: ca.root.cert,
    timeoutMs: 5_000,
    render: json,
    hostname: 'stepguard-test',
    ...options,
  });
  opened.push(transport);
  return transport;
}

/** Runs `act` and returns the messages `receiver` wrote after it, once `count` of them arrived. */
async function arriving(receiver: Rsyslog, count: number, act: () => Promise<unknown>): Promise<ReceivedMessage[]> {
  const before = (await receiver.received()).length;
  await act();
  return (await receiver.waitForMessages(before + count)).slice(before);
}

describe('syslog over TLS to a real rsyslog', () => {
  it('delivers JSON bodies intact and in order, with a header and structured data rsyslog reads', async () => {
    const items = [
      anEventItem(1),
      anEventItem(2, { outcome: 'failure', action: 'LoginFailed', userAgent: 'Navigateur élégant 😀' }),
      anEventItem(3, { details: { note: 'quote " backslash \\ bracket ] newline-free' } }),
      aCheckpointItem(3, { number: 4 }),
    ];
    const transport = transportTo(rsyslog);
    let outcome: unknown;
    const received = await arriving(rsyslog, items.length, async () => {
      outcome = await transport.deliver(batchOf(...items));
    });

    expect(outcome).toEqual({ outcome: 'acknowledged' });
    expect(received.map((m) => JSON.parse(m.msg))).toEqual(
      items.map((item) => (item.kind === 'event' ? item.event : item.checkpoint)),
    );
    expect(received.map((m) => [m.pri, m.msgId])).toEqual([
      [85, 'SessionRevoked'],
      [84, 'LoginFailed'],
      [85, 'SessionRevoked'],
      [86, 'checkpoint'],
    ]);
    const [first] = items;
    if (first?.kind !== 'event') throw new Error('an event first');
    expect(received[0]).toMatchObject({
      timestamp: first.event.occurredAt,
      hostname: 'stepguard-test',
      appName: 'stepguard',
      procId: '-',
      sd: {
        'stepguard@32473': {
          tenant: first.event.tenantId,
          seq: '1',
          id: first.event.id,
          prevHash: first.event.prevHash,
          hash: first.event.hash,
        },
      },
    });
    expect(received[3]!.sd['stepguard@32473']).toMatchObject({ seq: '3', checkpoint: '4' });
  });

  it('delivers CEF bodies intact, batch after batch on one connection', async () => {
    const transport = transportTo(rsyslog, { render: cef });
    const items = [1, 2, 3, 4].map((seq) => anEventItem(seq, { userAgent: `agent=${seq} \\ é` }));
    const outcomes: unknown[] = [];
    const received = await arriving(rsyslog, 4, async () => {
      outcomes.push(await transport.deliver(batchOf(items[0]!, items[1]!)));
      outcomes.push(await transport.deliver(batchOf(items[2]!)));
      outcomes.push(await transport.deliver(batchOf(items[3]!)));
    });

    expect(outcomes).toEqual(Array(3).fill({ outcome: 'acknowledged' }));
    expect(received.map((m) => m.msg)).toEqual(items.map(cef));
    expect(received[0]!.msg).toContain('requestClientApplication=agent\\=1 \\\\ é');
  });

  it('sends the MSG without a BOM unless told to', async () => {
    const received = await arriving(rsyslog, 2, async () => {
      await transportTo(rsyslog).deliver(batchOf(anEventItem(1)));
      await transportTo(rsyslog, { utf8Bom: true }).deliver(batchOf(anEventItem(2)));
    });
    expect(received[0]!.raw).toMatch(/\] \{/);
    expect(received[1]!.raw).toMatch(/\] \uFEFF\{/);
  });

  it('resolves the host through the given lookup, checking the certificate against the servername', async () => {
    const transport = transportTo(rsyslog, {
      host: 'siem.invalid',
      servername: 'localhost',
      lookup: (_host, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]),
    });
    const received = await arriving(rsyslog, 1, () => transport.deliver(batchOf(anEventItem(1))));
    expect(received).toHaveLength(1);
  });

  it('retries when the lookup refuses the address', async () => {
    const refused = Object.assign(new Error('egress to 127.0.0.1 is not allowed'), { code: 'EGRESS_REFUSED' });
    const transport = transportTo(rsyslog, {
      host: 'siem.invalid',
      lookup: (_host, _options, callback) => callback(refused, []),
    });
    expect(await transport.deliver(batchOf(anEventItem(1)))).toEqual({
      outcome: 'retry',
      error: expect.stringContaining('egress to 127.0.0.1 is not allowed'),
    });
  });
});

describe('authenticating the receiver', () => {
  it('accepts a receiver whose key matches the pin, without a CA (the openssl recipe of the docs)', async () => {
    const transport = transportTo(rsyslog, { ca: undefined, pinnedFingerprint: await opensslPin(server.certFile) });
    const received = await arriving(rsyslog, 1, () => transport.deliver(batchOf(anEventItem(1))));
    expect(received).toHaveLength(1);
  });

  it('parks on a pin mismatch, naming the key presented, and writes nothing', async () => {
    const wrongPin = createHash('sha256').update('another key').digest('base64');
    const pinned = transportTo(rsyslog, { ca: undefined, pinnedFingerprint: wrongPin });
    const before = (await rsyslog.received()).length;

    const outcome = await pinned.deliver(batchOf(anEventItem(1, { action: 'MustNotArrive' })));

    expect(outcome).toEqual({
      outcome: 'rejected',
      error: expect.stringContaining(`(SHA-256 ${await opensslPin(server.certFile)}) does not match the pin`),
    });
    // What proves the refused batch is not on its way: a later batch on another connection arrives alone.
    const after = await arriving(rsyslog, 1, () => transportTo(rsyslog).deliver(batchOf(anEventItem(2))));
    expect((await rsyslog.received()).slice(before).map((m) => m.msgId)).toEqual(['SessionRevoked']);
    expect(after).toHaveLength(1);
  });

  it('checks the pin on top of the CA when both are given', async () => {
    const wrongPin = createHash('sha256').update('another key').digest('hex');
    const outcome = await transportTo(rsyslog, { pinnedFingerprint: wrongPin }).deliver(batchOf(anEventItem(1)));
    expect(outcome).toMatchObject({ outcome: 'rejected' });
  });

  it('retries against a server whose certificate the given CA did not sign', async () => {
    const outcome = await transportTo(rsyslog, { ca: otherCa.root.cert }).deliver(batchOf(anEventItem(1)));
    expect(outcome).toEqual({ outcome: 'retry', error: expect.stringMatching(/certificate/i) });
  });

  it('uses the system CAs when given neither CA nor pin, and they do not know a test CA', async () => {
    const outcome = await transportTo(rsyslog, { ca: undefined }).deliver(batchOf(anEventItem(1)));
    expect(outcome).toEqual({ outcome: 'retry', error: expect.stringMatching(/certificate/i) });
  });

  it('refuses unusable key material at construction without echoing it', () => {
    const secret = 'SECRETKEYMATERIAL';
    const build = () =>
      createSyslogTlsTransport({
        host: '127.0.0.1',
        timeoutMs: 1_000,
        render: json,
        hostname: 'h',
        clientCert: client.cert,
        clientKey: `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----\n`,
      });
    expect(build).toThrow('not usable PEM');
    expect(() => build()).not.toThrow(secret);
  });
});

describe('mutual TLS', () => {
  it('delivers with a client certificate the receiver trusts', async () => {
    const transport = transportTo(mtlsRsyslog, { clientCert: client.cert, clientKey: client.key });
    const received = await arriving(mtlsRsyslog, 2, async () => {
      expect(await transport.deliver(batchOf(anEventItem(1), anEventItem(2)))).toEqual({ outcome: 'acknowledged' });
    });
    expect(received.map((m) => m.sd['stepguard@32473']?.seq)).toEqual(['1', '2']);
  });

  // rsyslog completes the handshake and drops a client it does not trust right after: without the
  // probation on a connection's first batch, these would count as delivered and be lost.
  it.each([
    ['without a client certificate', {}],
    [
      'with a client certificate of another CA',
      { clientCert: () => strangerClient.cert, clientKey: () => strangerClient.key },
    ],
  ])('retries %s', async (_, credentials: { clientCert?: () => string; clientKey?: () => string }) => {
    const transport = transportTo(mtlsRsyslog, {
      clientCert: credentials.clientCert?.(),
      clientKey: credentials.clientKey?.(),
    });
    expect(await transport.deliver(batchOf(anEventItem(1)))).toEqual({
      outcome: 'retry',
      error: expect.stringMatching(/closed|reset|ECONNRESET/i),
    });
  });
});

describe('a receiver that is down, hangs or stops reading', () => {
  it('retries while rsyslog is down and delivers on the same transport once it is back', async () => {
    const outage = await Rsyslog.start({ ca, server });
    try {
      const transport = transportTo(outage);
      await arriving(outage, 1, () => transport.deliver(batchOf(anEventItem(1))));

      await outage.stop();
      expect(await transport.deliver(batchOf(anEventItem(2)))).toEqual({
        outcome: 'retry',
        error: expect.stringMatching(/ECONNREFUSED|closed/),
      });

      await outage.start();
      const received = await arriving(outage, 1, async () => {
        expect(await transport.deliver(batchOf(anEventItem(2)))).toEqual({ outcome: 'acknowledged' });
      });
      expect(received.map((m) => m.sd['stepguard@32473']?.seq)).toEqual(['2']);
    } finally {
      await outage.dispose();
    }
  }, 60_000);

  it('retries when the receiver accepts TCP but never completes TLS', async () => {
    const silent = createTcpServer(() => undefined);
    await listen(silent);
    try {
      const outcome = await transportTo(address(silent), { timeoutMs: 300 }).deliver(batchOf(anEventItem(1)));
      expect(outcome).toEqual({ outcome: 'retry', error: expect.stringContaining('connect timed out after 300 ms') });
    } finally {
      silent.close();
    }
  });

  it('retries when the receiver drops a new connection after its TCP stack acknowledged the first batch', async () => {
    // A receiver that refuses this client after the handshake (rsyslog with a peer name it does not
    // permit): its kernel acknowledged the bytes, then the process closes the connection. Here the close
    // waits until the client's side shows nothing unacknowledged, and a few reads of the table more, so
    // the transport has seen the acknowledgement before the close comes.
    const dropping = createTlsServer({ cert: server.cert, key: server.key }, (socket) => {
      socket.once('data', async () => {
        const clientSide = {
          localAddress: socket.remoteAddress,
          localPort: socket.remotePort,
          remoteAddress: socket.localAddress,
          remotePort: socket.localPort,
          remoteFamily: socket.remoteFamily,
        } as Socket;
        await waitUntil(() => sendQueueOf(clientSide), {
          what: "the client's bytes acknowledged",
          until: (queue) => queue.state === 'established' && queue.unacknowledged === 0,
        });
        for (let read = 0; read < 5; read++) await sendQueueOf(clientSide);
        socket.destroy();
      });
    });
    await listen(dropping);
    try {
      const outcome = await transportTo(address(dropping)).deliver(batchOf(anEventItem(1)));
      expect(outcome).toEqual({ outcome: 'retry', error: expect.stringMatching(/right after the first batch/) });
    } finally {
      dropping.close();
    }
  });

  it('retries when the receiver stops reading: bytes written are not bytes received', async () => {
    const stalled = createTlsServer({ cert: server.cert, key: server.key }, (socket) => socket.pause());
    await listen(stalled);
    try {
      const big = 'x'.repeat(32 * 1024);
      const items = Array.from({ length: 64 }, (_, i) => anEventItem(i + 1, { details: { big } }));
      const outcome = await transportTo(address(stalled), { timeoutMs: 1_000 }).deliver(batchOf(...items));
      expect(outcome).toEqual({
        outcome: 'retry',
        error: expect.stringMatching(/did not acknowledge \d+ bytes within 1000 ms|write timed out after 1000 ms/),
      });
    } finally {
      stalled.close();
    }
  });
});

async function listen(server: Server): Promise<void> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

function address(server: Server): { port: number } {
  return { port: (server.address() as { port: number }).port };
}
