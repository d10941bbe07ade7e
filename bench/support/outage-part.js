// Part (c) of bench/audit-stream.bench.js: both receivers down while the backlog of an outage builds, then back
// one after the other: the wait for the retry backoff, the drain and its rate.
import { AuditLog } from '../../dist/src/audit/audit-log.js';
import { UnitOfWork } from '../../dist/src/common/cqrs/unit-of-work.js';
import {
  ARRIVAL_TIMEOUT_MS,
  aTenant,
  bothThroughHead,
  checkRange,
  headOf,
  makeSinks,
  verifyChain,
} from './audit-fixtures.js';
import { appendManyThroughAuditLog, signInEntry, wallMs } from './audit-writers.js';
import { int, load, seconds, table } from './bench-print.js';
import { rangeArrivals } from './stream-arrivals.js';
import { rigUsage, usedSince } from './stream-rig.js';

/** Each sink's cursor on the chain, by kind: its failed attempts so far and when the next one is due. */
async function cursorsOf(db, tenantId) {
  const { rows } = await db.query(
    `select s.kind, c.consecutive_failures, c.next_attempt_at, c.delivered_seq from audit_sink_cursors c
       join audit_sinks s on s.id = c.sink_id where c.chain_key = $1`,
    [tenantId],
  );
  return Object.fromEntries(rows.map((r) => [r.kind, r]));
}

/**
 * The events an outage of `opts.outageSeconds` at `opts.outageRate` a second leaves behind: at once, each second's
 * events in one unit of work dated that second, or (`opts.realOutage`) as they happen.
 */
async function fillBacklog({ app, clock, tenantId, outageStart, opts }) {
  const uow = app.get(UnitOfWork);
  const audit = app.get(AuditLog);
  const count = opts.outageRate * opts.outageSeconds;
  if (!opts.realOutage) {
    await appendManyThroughAuditLog({
      uow,
      audit,
      tenantId,
      count,
      perTransaction: opts.outageRate,
      before: (done) => (clock.fixed = outageStart + (done / opts.outageRate) * 1000),
    });
    clock.fixed = null;
    return count;
  }
  // One event per unit of work, each at its due time: the outage as it happens, on the real clock.
  const started = wallMs();
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / opts.outageRate - wallMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const { event, entry } = signInEntry(tenantId, i);
    await uow.run((tx) => audit.record(tx, event, entry));
  }
  return count;
}

/** (c): a tenant with both sinks, both receivers down while its backlog builds, then back one after the other. */
export async function outagePart({ app, db, clock, rig, failures, opts }) {
  const count = opts.outageRate * opts.outageSeconds;
  // Simulated: the tenant and its sinks date from just before the outage, its events from during it.
  const outageStart = Date.now() - opts.outageSeconds * 1000;
  if (!opts.realOutage) clock.fixed = outageStart - 5000;
  const tenantId = await aTenant(app, 'outage');
  await makeSinks(app, rig, tenantId, opts.batchSize);
  clock.fixed = null;
  const from = (await bothThroughHead(db, rig, tenantId, '(c) before the outage')) + 1;
  await rig.webhook.call('stop');
  await rig.rsyslog.stop();
  const down = wallMs();
  console.log(
    `\n(c) both receivers down; appending the backlog of a ${opts.outageSeconds} s outage at ${opts.outageRate} events/s ` +
      `(${int(count)} events, ${opts.realOutage ? 'in real time' : 'at once, occurredAt spread over the outage'}); ` +
      `load average ${load()}`,
  );
  await fillBacklog({ app, clock, tenantId, outageStart, opts });
  const to = await headOf(db, tenantId);
  if (to - from + 1 !== count) failures.push(`(c) the backlog is ${to - from + 1} events, not ${count}`);
  console.log(`  backlog appended in ${seconds(wallMs() - down)}: seq ${from}-${to}`);
  const rows = [];
  const notes = [];
  for (const receiver of ['webhook', 'syslog']) {
    const cursor = (await cursorsOf(db, tenantId))[receiver];
    const [range] = rig.collector.watch(rangeArrivals({ receiver, tenant: tenantId, from, to }));
    const before = await rigUsage(rig);
    const up = wallMs();
    if (receiver === 'webhook') await rig.webhook.call('start');
    else await rig.rsyslog.start();
    await rig.collector.complete([range], `(c) ${receiver} catch-up`, ARRIVAL_TIMEOUT_MS);
    rig.collector.forget(range);
    const duplicates = checkRange(range, failures, `(c) ${receiver}`);
    const { firstAt, lastAt } = range.summary();
    const due = cursor.next_attempt_at ? new Date(cursor.next_attempt_at).getTime() - up : NaN;
    rows.push([
      receiver,
      `${seconds(up - down)} (${cursor.consecutive_failures} failed attempts)`,
      Number.isNaN(due) ? '—' : seconds(Math.max(0, due)),
      seconds(firstAt - up),
      seconds(lastAt - firstAt),
      int(count / ((lastAt - firstAt) / 1000)),
      seconds(lastAt - up),
      duplicates,
    ]);
    notes.push(`  ${receiver}: ${usedSince(before, await rigUsage(rig), count)}`);
  }
  table(
    [
      'sink',
      'down for',
      'next attempt due in',
      'first arrival after up',
      'drain',
      'events/s',
      'caught up after up',
      'dupl.',
    ],
    rows,
  );
  await verifyChain(app, tenantId, failures, '(c)');
  console.log(`${notes.join('\n')}\n  load average ${load()}`);
}
