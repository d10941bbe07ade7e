// Part (a) of bench/audit-stream.bench.js: appends to one tenant's chain through the app's AuditLog in its
// UnitOfWork, next to raw `pg` inserts into an unchained copy of the audit table, in the same run.
import pg from 'pg';
import { isBroken, startWalk, walkChain } from '../../dist/src/audit/audit-chain.js';
import { AuditLog } from '../../dist/src/audit/audit-log.js';
import { UnitOfWork } from '../../dist/src/common/cqrs/unit-of-work.js';
import { aTenant, headOf, verifyChain } from './audit-fixtures.js';
import {
  appendManyThroughAuditLog,
  appendThroughAuditLog,
  createUnchainedTable,
  rawBatchedInsert,
  unchainedTransactions,
  wallMs,
} from './audit-writers.js';
import { int, load, ms, table } from './bench-print.js';
import { latencySummary } from './stream-arrivals.js';

const RAW_BATCH = 1000;
const MANY_PER_TRANSACTION = 1000;

/** The first batch of the rows chained in this process must walk as a chain does (the app's walkChain). */
async function checkChainedHere(db, chainKey, count, failures) {
  const { rows } = await db.query(
    'select * from bench_unchained_events where chain_key = $1 and seq <= $2 order by seq',
    [chainKey, count],
  );
  const events = rows.map((r) => ({
    id: r.id,
    chainKey: r.chain_key,
    seq: String(r.seq),
    tenantId: r.tenant_id,
    occurredAt: r.occurred_at,
    action: r.action,
    outcome: r.outcome,
    actorType: r.actor_type,
    actorId: r.actor_id,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    userAgent: r.user_agent,
    details: r.details,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
  const walk = walkChain(startWalk(), events);
  if (isBroken(walk) || walk.checked !== count)
    failures.push(`(a) the rows chained in this process do not walk as a chain: ${JSON.stringify(walk)}`);
}

/** Runs `run(stop, note)` for the warm-up and the measured window; counts what `note(at, ms)` saw inside it. */
async function timedWindow(opts, run) {
  const start = wallMs();
  const from = start + opts.warmupSeconds * 1000;
  const to = from + opts.appendSeconds * 1000;
  const latencies = [];
  let all = 0;
  await run(
    () => wallMs() >= to,
    (at, took) => {
      all++;
      if (at >= from && at < to) latencies.push(took);
    },
  );
  return { rate: latencies.length / opts.appendSeconds, all, ...latencySummary(latencies) };
}

/** (a): prints the table of append rates next to the raw batched insert. */
export async function appendPart({ app, db, databaseUrl, poolMax, failures, opts }) {
  const tenantId = await aTenant(app, 'append');
  const uow = app.get(UnitOfWork);
  const audit = app.get(AuditLog);
  await createUnchainedTable(db);
  console.log(
    `\n(a) appends to one tenant's chain: ${opts.writers} writers for ${opts.appendSeconds} s after ${opts.warmupSeconds} s ` +
      `of warm-up; app pool ${poolMax} connections; load average ${load()}`,
  );

  let started = performance.now();
  await rawBatchedInsert(db, { tenantId, chainKey: `${tenantId}-raw`, count: opts.rawRows, batch: RAW_BATCH });
  const raw = { rate: opts.rawRows / ((performance.now() - started) / 1000) };
  started = performance.now();
  await rawBatchedInsert(db, {
    tenantId,
    chainKey: `${tenantId}-here`,
    count: opts.rawRows,
    batch: RAW_BATCH,
    chained: true,
  });
  const chainedHere = { rate: opts.rawRows / ((performance.now() - started) / 1000) };

  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  const unchained = await timedWindow(opts, (stop, note) =>
    unchainedTransactions(pool, {
      tenantId,
      chainKey: `${tenantId}-unchained`,
      writers: opts.writers,
      stop,
      onCommitted: note,
    }),
  );
  await pool.end();

  const before = await headOf(db, tenantId);
  const chained = await timedWindow(opts, (stop, note) =>
    appendThroughAuditLog({
      uow,
      audit,
      tenantId,
      writers: opts.writers,
      stop,
      onCommitted: (_event, at, took) => note(at, took),
    }),
  );
  const many = Math.min(opts.rawRows, 20 * MANY_PER_TRANSACTION);
  started = performance.now();
  await appendManyThroughAuditLog({ uow, audit, tenantId, count: many, perTransaction: MANY_PER_TRANSACTION });
  const batched = { rate: many / ((performance.now() - started) / 1000) };

  const head = await headOf(db, tenantId);
  if (head - before !== chained.all + many)
    failures.push(`(a) ${chained.all + many} entries committed, but the head moved by ${head - before}`);
  const verdict = await verifyChain(app, tenantId, failures, '(a)');
  await checkChainedHere(db, `${tenantId}-here`, Math.min(RAW_BATCH, opts.rawRows), failures);

  const ratio = (r) => `${(r / raw.rate).toFixed(3)}×`;
  table(
    ['path', 'events/s', 'p50 ms', 'p99 ms', 'vs raw batched'],
    [
      [
        `raw pg batched INSERT, unchained table (${RAW_BATCH} rows a statement, 1 connection)`,
        int(raw.rate),
        '—',
        '—',
        '1×',
      ],
      [
        `raw pg, ${opts.writers} writers, 1 row per transaction, unchained table`,
        int(unchained.rate),
        ms(unchained.p50),
        ms(unchained.p99),
        ratio(unchained.rate),
      ],
      [
        `AuditLog.record in a UnitOfWork, ${opts.writers} writers (the append)`,
        int(chained.rate),
        ms(chained.p50),
        ms(chained.p99),
        ratio(chained.rate),
      ],
      [
        `AuditLog.recordMany, ${MANY_PER_TRANSACTION} per UnitOfWork, 1 writer`,
        int(batched.rate),
        '—',
        '—',
        ratio(batched.rate),
      ],
      [
        `raw pg batched INSERT as above, the chain hashed in this process (auditHash)`,
        int(chainedHere.rate),
        '—',
        '—',
        ratio(chainedHere.rate),
      ],
    ],
  );
  console.log(
    `  p50/p99: one transaction, waiting for a pooled connection included. Chain verified: ` +
      `${verdict.ok ? `ok, ${int(verdict.checked)} events` : 'BROKEN'}; load average ${load()}`,
  );
}
