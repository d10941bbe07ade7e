// The plain loops of bench/audit-stream.bench.js, in their own process (as the delivery engine runs in the
// worker's): what sending the same batches to the same receiver costs with nothing of the engine around it
// (no job, no lease, no cursor, no ORM). The events are read with plain `pg` in seq order and rendered with the
// app's own code (native JSON, the engine's batch ids, Standard Webhooks signatures, RFC 5424 frames), so the
// bytes are the engine's; the parent compares the byte counts the receiver saw.
//
//   postWebhook  the batches rendered and signed beforehand, then POSTed one after another over one
//                kept-alive HTTPS connection, each waiting for its 200 (the engine also has one in flight).
//   readPostWebhook  the same, but each batch read from PostgreSQL, rendered and signed just before its POST:
//                the engine's work per batch less its bookkeeping.
//   writeSyslog  the frames built beforehand, then each batch's frames written in one write over one TLS
//                connection (Nagle off, as the engine's), waiting only for the write to be handed to the
//                kernel; the parent times the arrivals at rsyslog.
import { Agent, request } from 'node:https';
import { hostname } from 'node:os';
import { connect } from 'node:tls';
import pg from 'pg';
import { renderJson, renderLine } from '../../dist/src/audit/formats/index.js';
import { octetCountedFrame, syslogMessage } from '../../dist/src/audit/stream/transports/rfc5424.js';
import { webhookSignatures, webhookSigningKey } from '../../dist/src/audit/stream/transports/webhook-signature.js';
import { serveCalls } from './socket-rpc.js';

const wallMs = () => performance.timeOrigin + performance.now();

/** A row of audit_events as the stream's view of it (toAuditEventView's fields, in its order). */
function viewOf(row) {
  return {
    seq: Number(row.seq),
    id: row.id,
    tenantId: row.tenant_id,
    occurredAt: row.occurred_at.toISOString(),
    action: row.action,
    outcome: row.outcome,
    actor: { type: row.actor_type, id: row.actor_id },
    target: row.target_type === null ? null : { type: row.target_type, id: row.target_id },
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

async function readBatch(db, chainKey, afterSeq, limit) {
  const { rows } = await db.query(
    `select * from audit_events where chain_key = $1 and seq > $2 order by seq limit $3`,
    [chainKey, afterSeq, limit],
  );
  return rows.map(viewOf);
}

async function readChain(db, chainKey, batchSize) {
  const batches = [];
  for (let after = 0; ;) {
    const batch = await readBatch(db, chainKey, after, batchSize);
    if (batch.length === 0) return batches;
    batches.push(batch);
    after = batch.at(-1).seq;
  }
}

/** One webhook request as the engine's WebhookTransport builds it for a batching sink. */
function webhookRequest(keys, events) {
  const body = JSON.stringify(events.map((event) => renderJson('native', { kind: 'event', event })));
  // StreamReader's id for a batch of events after the newest checkpoint (none in these chains' replays).
  const id = events.length === 1 ? events[0].id : `${events[0].id}_${events.at(-1).seq}_0`;
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': webhookSignatures(keys, id, timestamp, body),
    },
  };
}

function post(agent, url, { body, headers }) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`the receiver answered ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function withDatabase(databaseUrl, work) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

/** POSTs `batches` in order; the time of each request and of the whole loop. */
async function postLoop(url, ca, next) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
  const latencies = [];
  const started = wallMs();
  for (let i = 0; ; i++) {
    const req = await next(i);
    if (!req) break;
    const sent = wallMs();
    await post(agent, url, req);
    latencies.push(wallMs() - sent);
  }
  const ended = wallMs();
  agent.destroy();
  return { started, ended, latencies };
}

serveCalls({
  cpu: () => process.cpuUsage(),

  async postWebhook({ databaseUrl, chainKey, batchSize, url, ca, secret }) {
    const keys = [webhookSigningKey(secret)];
    const batches = await withDatabase(databaseUrl, (db) => readChain(db, chainKey, batchSize));
    const requests = batches.map((events) => webhookRequest(keys, events));
    return { ...(await postLoop(url, ca, async (i) => requests[i])), requests: requests.length };
  },

  async readPostWebhook({ databaseUrl, chainKey, batchSize, url, ca, secret }) {
    const keys = [webhookSigningKey(secret)];
    return withDatabase(databaseUrl, async (db) => {
      let after = 0;
      const loop = await postLoop(url, ca, async () => {
        const events = await readBatch(db, chainKey, after, batchSize);
        if (events.length === 0) return null;
        after = events.at(-1).seq;
        return webhookRequest(keys, events);
      });
      return { ...loop, requests: loop.latencies.length };
    });
  },

  async writeSyslog({ databaseUrl, chainKey, batchSize, port, ca }) {
    const header = { hostname: hostname(), appName: 'stepguard' };
    const batches = await withDatabase(databaseUrl, (db) => readChain(db, chainKey, batchSize));
    const frames = batches.map((events) =>
      Buffer.concat(
        events.map((event) => {
          const item = { kind: 'event', event };
          return octetCountedFrame(syslogMessage(item, renderLine('native', item), header));
        }),
      ),
    );
    const socket = connect({ host: '127.0.0.1', port, ca });
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    socket.setNoDelay(true);
    const started = wallMs();
    for (const chunk of frames)
      await new Promise((resolve, reject) => socket.write(chunk, (e) => (e ? reject(e) : resolve())));
    const written = wallMs();
    await new Promise((resolve) => socket.end(resolve));
    return { started, written, writes: frames.length, bytes: frames.reduce((n, f) => n + f.length, 0) };
  },
});
