// Part (b) of bench/audit-stream.bench.js: the stream's delivery to a webhook and a syslog-TLS sink, live while
// the chain grows (events/s, commit-to-receiver lag), then the whole chain again next to plain loops.
import { readFile } from 'node:fs/promises';
import { CommandBus } from '@nestjs/cqrs';
import { AuditLog } from '../../dist/src/audit/audit-log.js';
import { ReplayAuditSinkCommand } from '../../dist/src/audit/stream/commands/audit-sink.commands.js';
import { replayAuditSinkSchema } from '../../dist/src/audit/stream/dto/audit-sink.schemas.js';
import { NO_REQUEST } from '../../dist/src/common/actor.js';
import { UnitOfWork } from '../../dist/src/common/cqrs/unit-of-work.js';
import {
  ARRIVAL_TIMEOUT_MS,
  aTenant,
  bothThroughHead,
  checkRange,
  headOf,
  makeSinks,
  OPERATOR,
  verifyChain,
} from './audit-fixtures.js';
import { appendManyThroughAuditLog, appendThroughAuditLog, wallMs } from './audit-writers.js';
import { int, load, ms, seconds, table } from './bench-print.js';
import { latencySummary, rangeArrivals } from './stream-arrivals.js';
import { rigUsage, usedSince } from './stream-rig.js';

const MANY_PER_TRANSACTION = 1000;

/**
 * Appends `count` events with `append(onCommitted)` while both sinks deliver, and prints per sink the events/s
 * from the first commit to the last arrival and each event's lag from its commit to its arrival.
 */
async function liveRun({ db, rig, tenantId, failures }, count, title, append) {
  const from = (await headOf(db, tenantId)) + 1;
  const to = from + count - 1;
  const ranges = rig.collector.watch(
    rangeArrivals({ receiver: 'webhook', tenant: tenantId, from, to }),
    rangeArrivals({ receiver: 'syslog', tenant: tenantId, from, to }),
  );
  const committedAt = new Float64Array(count).fill(NaN);
  let stray = 0;
  const before = await rigUsage(rig);
  const collecting = setInterval(() => void rig.collector.collect().catch(() => undefined), 250);
  const started = wallMs();
  await append((event, at) => {
    const i = Number(event.seq) - from;
    if (i >= 0 && i < count) committedAt[i] = at;
    else stray++;
  });
  const appended = wallMs();
  clearInterval(collecting);
  await rig.collector.complete(ranges, `(b) live, ${title}`, ARRIVAL_TIMEOUT_MS);
  rig.collector.forget(...ranges);
  const used = usedSince(before, await rigUsage(rig), count);
  if (stray) failures.push(`(b) ${stray} entries got a seq outside ${from}-${to}: something else appended`);
  const firstCommit = committedAt.reduce((a, b) => Math.min(a, b), Infinity);
  console.log(
    `\n(b) live: ${title} appended ${int(count)} events (seq ${from}-${to}) in ${seconds(appended - started)} ` +
      `(${int(count / ((appended - started) / 1000))} events/s) while both sinks delivered`,
  );
  const rows = ranges.map((range) => {
    const duplicates = checkRange(range, failures, `(b) live ${range.receiver}`);
    const lags = [];
    for (let seq = from; seq <= to; seq++) lags.push(range.arrivalOf(seq) - committedAt[seq - from]);
    const lag = latencySummary(lags);
    const { lastAt, requests } = range.summary();
    return [
      range.receiver === 'webhook' ? 'webhook (HTTPS, Standard Webhooks)' : 'syslog over TLS (rsyslog)',
      int(count / ((lastAt - firstCommit) / 1000)),
      ms(lag.p50),
      ms(lag.p90),
      ms(lag.p99),
      ms(lag.max),
      int(lags.filter((l) => l > 1000).length),
      seconds(lastAt - appended),
      range.receiver === 'webhook' ? `${int(requests)} (${(count / requests).toFixed(1)})` : '—',
      duplicates,
    ];
  });
  table(
    [
      'sink',
      'events/s',
      'lag p50 ms',
      'p90',
      'p99',
      'max',
      'over 1 s',
      'last after appends',
      'requests (events each)',
      'dupl.',
    ],
    rows,
  );
  console.log(`  ${used}; load average ${load()}`);
}

/**
 * What one acknowledgement check of the syslog transport costs here: it reads /proc/net/tcp (sendQueueOf), at
 * least once a batch, and the kernel prints the whole table for it.
 */
async function procNetTcpCost(reads = 50) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < reads; i++) await readFile('/proc/net/tcp', 'latin1');
  const used = process.cpuUsage(cpu);
  const lines = (await readFile('/proc/net/tcp', 'latin1')).split('\n').length - 2;
  return (
    `reading /proc/net/tcp (${lines} sockets), as the syslog transport does to check each batch's ` +
    `acknowledgement, took ${ms((performance.now() - started) / reads)} ms and ` +
    `${ms((used.user + used.system) / 1000 / reads)} ms of CPU a read`
  );
}

/** Live appends while both sinks deliver: one entry per unit of work, then batches topping the chain up. */
async function livePhase(ctx) {
  const { app, db, tenantId, opts } = ctx;
  const uow = app.get(UnitOfWork);
  const audit = app.get(AuditLog);
  let begun = 0;
  await liveRun(ctx, opts.liveEvents, `${opts.writers} writers, one entry per unit of work,`, (onCommitted) =>
    appendThroughAuditLog({
      uow,
      audit,
      tenantId,
      writers: opts.writers,
      stop: () => begun++ >= opts.liveEvents,
      onCommitted,
    }),
  );
  const rest = opts.events - (await headOf(db, tenantId));
  if (rest <= 0) return;
  await liveRun(ctx, rest, `AuditLog.recordMany, ${MANY_PER_TRANSACTION} entries per unit of work,`, (onCommitted) =>
    appendManyThroughAuditLog({
      uow,
      audit,
      tenantId,
      count: rest,
      perTransaction: MANY_PER_TRANSACTION,
      onCommitted: (events, at) => events.forEach((event) => onCommitted(event, at)),
    }),
  );
}

/** Watches seqs `from`..`to` at one receiver while `send()` runs; the range, with when the sending began. */
async function timedDelivery(rig, receiver, tenantId, from, to, send, what) {
  const [range] = rig.collector.watch(rangeArrivals({ receiver, tenant: tenantId, from, to }));
  const bytesBefore = rig.collector.webhookBytes();
  const begun = wallMs();
  const sent = await send();
  await rig.collector.complete([range], what, ARRIVAL_TIMEOUT_MS);
  rig.collector.forget(range);
  return { range, begun, sent, bytes: rig.collector.webhookBytes() - bytesBefore };
}

/** The whole chain again, one delivery after another: the engine's replay per sink, next to the plain loops. */
async function backlogPhase({ app, db, databaseUrl, rig, tenantId, sinks, failures, opts }) {
  const commands = app.get(CommandBus);
  const replay = (sinkId) => () =>
    commands.execute(
      new ReplayAuditSinkCommand(tenantId, sinkId, replayAuditSinkSchema.parse({ fromSeq: 1 }), OPERATOR, NO_REQUEST),
    );
  const loopArgs = { databaseUrl, chainKey: tenantId, batchSize: opts.batchSize, ca: rig.ca.root.cert };
  const runs = [
    ['webhook', 'engine: replay from seq 1', replay(sinks.webhook)],
    [
      'webhook',
      'plain loop: POST the batches, rendered beforehand',
      () =>
        rig.sender.call('postWebhook', { ...loopArgs, url: rig.webhookUrl, secret: sinks.secret }, ARRIVAL_TIMEOUT_MS),
    ],
    [
      'webhook',
      'plain loop: read, render, sign, POST each batch',
      () =>
        rig.sender.call(
          'readPostWebhook',
          { ...loopArgs, url: rig.webhookUrl, secret: sinks.secret },
          ARRIVAL_TIMEOUT_MS,
        ),
    ],
    ['syslog', 'engine: replay from seq 1', replay(sinks.syslog)],
    [
      'syslog',
      'plain loop: the frames over one TLS connection',
      () => rig.sender.call('writeSyslog', { ...loopArgs, port: rig.rsyslog.port }, ARRIVAL_TIMEOUT_MS),
    ],
  ];
  console.log(
    `\n(b) the whole chain again, no appends meanwhile (batches of ${opts.batchSize}); ${await procNetTcpCost()}; ` +
      `load average ${load()}`,
  );
  const rows = [];
  const notes = [];
  for (const [receiver, title, send] of runs) {
    // A replay appends its own audit entry first: the range is the chain as it stands after the command.
    const before = await rigUsage(rig);
    let head = await headOf(db, tenantId);
    const { range, begun, sent, bytes } = await timedDelivery(
      rig,
      receiver,
      tenantId,
      1,
      title.startsWith('engine') ? head + 1 : head,
      send,
      `(b) ${receiver} ${title}`,
    );
    head = range.to;
    const duplicates = checkRange(range, failures, `(b) ${receiver} ${title}`);
    // A plain loop renders its batches before it starts sending: timed from its first send.
    const took = range.summary().lastAt - (sent?.started ?? begun);
    const latency = sent?.latencies ? latencySummary(sent.latencies) : null;
    rows.push([
      `${receiver}: ${title}`,
      int(head),
      seconds(took),
      int(head / (took / 1000)),
      latency ? `${ms(latency.p50)} / ${ms(latency.p99)}` : '—',
      receiver === 'webhook' ? `${(bytes / 2 ** 20).toFixed(1)} MB` : '—',
      duplicates,
    ]);
    notes.push(`  ${receiver}, ${title}: ${usedSince(before, await rigUsage(rig), head)}`);
  }
  table(['delivery', 'events', 'time', 'events/s', 'POST p50/p99 ms', 'bodies', 'dupl.'], rows);
  console.log(`${notes.join('\n')}\n  load average ${load()}`);
}

/** (b): a tenant with both sinks, its first events delivered, then the live runs and the whole chain again. */
export async function streamPart(ctx) {
  const { app, db, rig, failures, opts } = ctx;
  const tenantId = await aTenant(app, 'stream');
  const sinks = await makeSinks(app, rig, tenantId, opts.batchSize);
  await bothThroughHead(db, rig, tenantId, '(b) the first events');
  await livePhase({ ...ctx, tenantId });
  await backlogPhase({ ...ctx, tenantId, sinks });
  await verifyChain(app, tenantId, failures, '(b)');
}
