// The processes around the delivery engine in bench/audit-stream.bench.js: a throw-away CA, a private
// rsyslogd (syslog over TLS), the HTTPS webhook receiver, the Stepguard worker and the plain sender, each
// its own process; and the collector that hands what the receivers got to the ranges being watched.
import { createThrowawayCa } from './throwaway-ca.js';
import { startRsyslog } from './rsyslog-receiver.js';
import { int } from './bench-print.js';
import { forkChild } from './socket-rpc.js';

const POLL_MS = 100;

export async function startStreamRig(serverArgs) {
  const stops = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const ca = await createThrowawayCa('audit-stream');
    stops.push(() => ca.dispose());
    const rsyslog = await startRsyslog(ca);
    stops.push(() => rsyslog.dispose());
    const syslogReader = await rsyslog.reader();
    stops.push(() => syslogReader.close());
    const webhook = forkChild(new URL('./webhook-receiver.js', import.meta.url), 'webhook receiver');
    stops.push(() => webhook.stop());
    const { port: webhookPort } = await webhook.call('listen', { cert: ca.server.cert, key: ca.server.key });
    const sender = forkChild(new URL('./plain-sender.js', import.meta.url), 'plain sender', {
      env: { NODE_EXTRA_CA_CERTS: ca.root.certFile },
    });
    stops.push(() => sender.stop());
    const worker = forkChild(new URL('./stream-worker.js', import.meta.url), 'worker', {
      env: { NODE_EXTRA_CA_CERTS: ca.root.certFile },
    });
    stops.push(() => worker.stop(30_000));
    await worker.call('start', serverArgs);
    return {
      ca,
      rsyslog,
      webhook,
      webhookUrl: `https://127.0.0.1:${webhookPort}/siem/audit`,
      sender,
      worker,
      collector: collector(webhook, syslogReader),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Pulls what both receivers got since the last pull and hands each request (webhook) or message (syslog) to
 * the watched ranges of its receiver and tenant. Signature failures at the webhook receiver are kept.
 */
function collector(webhook, syslogReader) {
  const watched = new Set();
  const problems = [];
  let webhookBytes = 0;
  async function collect() {
    const taken = await webhook.call('take');
    problems.push(...taken.problems);
    for (const request of taken.requests) {
      webhookBytes += request.bytes;
      for (const range of watched) {
        if (range.receiver === 'webhook' && range.tenant === request.tenant) range.add(request.seqs, request.at);
      }
    }
    for (const message of await syslogReader.next()) {
      if (message.checkpoint) continue;
      for (const range of watched) {
        if (range.receiver === 'syslog' && range.tenant === message.tenant) range.add([message.seq], message.at);
      }
    }
  }
  return {
    problems,
    /** Bytes of request bodies the webhook receiver got so far (collected). */
    webhookBytes: () => webhookBytes,
    watch(...ranges) {
      for (const range of ranges) watched.add(range);
      return ranges;
    },
    forget(...ranges) {
      for (const range of ranges) watched.delete(range);
    },
    collect,
    /** Collects until every range is complete; fails after `timeoutMs` naming what is missing. */
    async complete(ranges, what, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await collect();
        if (ranges.every((r) => r.complete())) return;
        if (Date.now() > deadline) {
          const missing = ranges.map((r) => `${r.receiver} ${r.missing()} of ${r.to - r.from + 1}`).join(', ');
          throw new Error(`${what}: not everything arrived within ${timeoutMs / 1000} s (missing: ${missing})`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  };
}

/** What the bench's processes have used so far: CPU time each, and the worker's own counts. */
export async function rigUsage(rig) {
  const children = { worker: rig.worker, 'webhook receiver': rig.webhook, 'plain sender': rig.sender };
  const cpu = { bench: process.cpuUsage() };
  for (const [name, child] of Object.entries(children)) cpu[name] = await child.call('cpu');
  return { cpu, worker: await rig.worker.call('counts') };
}

/** What was used between two `rigUsage` readings, as a line: CPU seconds, and the worker's work per event. */
export function usedSince(before, after, events) {
  const cpu = Object.keys(after.cpu)
    .map((name) => {
      const { user, system } = after.cpu[name];
      const used = user + system - before.cpu[name].user - before.cpu[name].system;
      return `${name} ${(used / 1e6).toFixed(1)} s`;
    })
    .filter((line) => !line.endsWith(' 0.0 s'))
    .join(', ');
  const [b, a] = [before.worker, after.worker];
  const runs = Object.keys(a.runs)
    .map((ended) => [ended, a.runs[ended] - (b.runs[ended] ?? 0)])
    .filter(([, n]) => n > 0)
    .map(([ended, n]) => `${int(n)} ${ended}`)
    .join(', ');
  const sql = a.sql - b.sql;
  const redis = a.redisCommands - b.redisCommands;
  return (
    `CPU ${cpu}; worker: delivery runs ${runs || 'none'}, ${int(a.wakes.chain - b.wakes.chain)} wake-ups by ` +
    `notification, ${int(sql)} SQL statements (${(sql / events).toFixed(2)} an event), ${int(redis)} Redis ` +
    `commands (${(redis / events).toFixed(2)} an event)`
  );
}
