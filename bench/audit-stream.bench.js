// How fast does one tenant's audit chain take appends, and how fast and how soon does the audit stream deliver
// them to a webhook and to a syslog-over-TLS receiver, next to plain code doing the same in the same run?
//
//   npm run bench:audit-stream   (= node tools/start.ts bench/audit-stream.bench.js: builds dist/ when stale)
//   npm exec -- node bench/audit-stream.bench.js [--parts append,stream,outage] [--writers 64]
//       [--append-seconds 10] [--warmup 2] [--raw-rows 100000] [--live-events 10000] [--events 100000]
//       [--batch-size 100] [--outage-seconds 600] [--outage-rate 100] [--real-outage] [--quick]
//       [--log-level silent]
//
// The built app (dist/) on a fresh database `stepguard_bench_test_<pid>` migrated by its own MikroORM config,
// under a throw-away Redis prefix, with production settings (benchConfig: NODE_ENV=production, so sinks must
// use TLS) and AUDIT_STREAM_EGRESS_ALLOW=127.0.0.1 so the sinks may reach the loopback receivers. Every
// audit entry written is the one a password sign-in records when it opens a session (SessionCreated: a
// user, a session, an IP, a browser's user agent, the device; about 700 bytes as a row), each part on a
// tenant of its own made by CreateTenantCommand. The three parts are bench/support/append-part.js,
// stream-part.js and outage-part.js.
//
// (a) append: throughput of one tenant's chain with --writers concurrent writers, each running the app's
//     own UnitOfWork with AuditLog.record inside (begin; the entry's `audit_append` statement, which locks
//     the chain's head, hashes and inserts; commit; the event published), measured over --append-seconds
//     after --warmup, in this process (the app's pool, DATABASE_POOL_MAX). Not an HTTP route: a route adds
//     its own work (parsing, authentication, the change the entry records) that the baseline does not do,
//     and would measure that instead of the append. Beside it, in the same run: the anchor, a raw `pg`
//     batched INSERT (multi-row `insert … select * from unnest(…)`, 1,000 rows a statement, one connection)
//     of --raw-rows rows into `bench_unchained_events`, a copy of audit_events' columns, indexes and
//     constraints with no chain (random hex in the hash columns); the same INSERT with the rows chained in
//     this process by the app's auditHash first (what one chainer off the request path could reach; the
//     first batch is walked with the app's walkChain); the same --writers writers doing one single-row
//     INSERT per transaction into that table on a pg Pool as large as the app's (the unit of work's round
//     trips without the chain); and AuditLog.recordMany with 1,000 entries per unit of work, one writer (the
//     chain batched, as group commit would). The chain is verified afterwards by the app's AuditVerifier.
// (b) stream: a worker process (bench/support/stream-worker.js: the app with WorkersModule, as
//     `npm run start:worker`) delivers to two sinks made by CreateAuditSinkCommand on one tenant, native
//     JSON, batches of --batch-size: a webhook to an HTTPS receiver in its own process that verifies every
//     request with the `standardwebhooks` reference implementation, and syslog over TLS (RFC 5425) to a
//     private rsyslogd (Debian rsyslog + rsyslog-gnutls, as the tests start it), both certificates from a
//     throw-away CA the worker trusts through NODE_EXTRA_CA_CERTS. Live, both sinks delivering meanwhile:
//     --writers writers append --live-events entries one per unit of work as in (a), then AuditLog.recordMany
//     (1,000 per unit of work) tops the chain up to --events; per sink and run, events/s from the first
//     commit to the last arrival, and the lag of every event from its commit (taken in the writer right
//     after its unit of work returned) to its arrival (the webhook receiver: when the request's body had
//     fully arrived; rsyslog: `timegenerated`, when imtcp read it). Then, with no appends, per sink: the
//     engine re-sending the whole chain of --events (ReplayAuditSinkCommand from seq 1: the job, the lease,
//     the reads and the cursor writes for every batch), from the command to the last arrival; next to a
//     plain loop in its own process (bench/support/plain-sender.js) sending the same batches (the same
//     rendering, batch ids and signatures) to the same receiver: POSTed one at a time over one kept-alive
//     HTTPS connection, rendered beforehand, and again reading, rendering and signing each batch with plain
//     `pg` just before its POST; for syslog, the same frames written batch by batch over one TLS connection.
// (c) outage: a third tenant with the same two sinks; both receivers are stopped, and the backlog a receiver
//     outage of --outage-seconds builds at --outage-rate events/s is appended (by default at once, through
//     AuditLog.recordMany, one second's events per unit of work under a clock set to that second, so their
//     occurredAt are spread over the outage, which ends when the appending starts; --real-outage appends
//     them one per unit of work at that rate in real time with the real clock, taking --outage-seconds). The
//     engine meanwhile fails, backs off (exponential with jitter, capped at 60 s) and retries, as it would.
//     Then the webhook receiver comes back, and once it has everything, rsyslog: per sink, the wait from the
//     receiver's return to the first arrival (the backoff's next attempt, read from the cursor), the drain
//     from the first to the last arrival, and events/s over the drain.
//
// Every range must arrive complete and in seq order (duplicates, allowed by at-least-once, are counted), every
// webhook request must verify, and the chains must verify; otherwise the figures are printed and the run
// fails. Timings are printed, never asserted. Printed beside each delivery: the CPU time each of the bench's
// processes used (PostgreSQL's is not: other work on the machine shares that server), and what the worker
// did: its delivery runs by how each ended, the wake-ups by notification, the SQL statements and Redis
// commands it sent. Defaults take about 6 minutes on 2 cores; --quick (3 s appends, 3,000 live events, a
// chain of 10,000, a 600 s outage at 20 events/s) checks that everything works.
// Everything runs on this machine: PostgreSQL, Redis, rsyslogd, the app, the worker and the receivers share
// its cores.
import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { AppModule } from '../dist/src/app/app.module.js';
import { Clock } from '../dist/src/common/clock.js';
import { appendPart } from './support/append-part.js';
import { benchConfig } from './support/bench-config.js';
import { createBenchDatabase, deleteRedisKeys } from './support/bench-database.js';
import { load } from './support/bench-print.js';
import { outagePart } from './support/outage-part.js';
import { streamPart } from './support/stream-part.js';
import { startStreamRig } from './support/stream-rig.js';

const { values: args } = parseArgs({
  options: {
    parts: { type: 'string', default: 'append,stream,outage' },
    writers: { type: 'string', default: '64' },
    'append-seconds': { type: 'string' },
    warmup: { type: 'string' },
    'raw-rows': { type: 'string' },
    events: { type: 'string' },
    'live-events': { type: 'string' },
    'batch-size': { type: 'string', default: '100' },
    'outage-seconds': { type: 'string', default: '600' },
    'outage-rate': { type: 'string' },
    'real-outage': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'silent' },
  },
});
const PARTS = new Set(args.parts.split(','));
/** --quick: short runs to check that everything works, not figures to quote. */
const quick = args.quick;
const OPTIONS = {
  writers: Number(args.writers),
  appendSeconds: Number(args['append-seconds'] ?? (quick ? 3 : 10)),
  warmupSeconds: Number(args.warmup ?? (quick ? 1 : 2)),
  rawRows: Number(args['raw-rows'] ?? (quick ? 20_000 : 100_000)),
  events: Number(args.events ?? (quick ? 10_000 : 100_000)),
  liveEvents: Number(args['live-events'] ?? (quick ? 3_000 : 10_000)),
  batchSize: Number(args['batch-size']),
  outageSeconds: Number(args['outage-seconds']),
  outageRate: Number(args['outage-rate'] ?? (quick ? 20 : 100)),
  realOutage: args['real-outage'],
};
const CPUS = availableParallelism();

if ([...PARTS].some((p) => !['append', 'stream', 'outage'].includes(p)))
  throw new Error('--parts takes a list of append, stream, outage');
const { appendSeconds, warmupSeconds, realOutage: _flag, ...counts } = OPTIONS;
if (!Object.values(counts).every((n) => Number.isInteger(n) && n >= 1) || !(appendSeconds > 0 && warmupSeconds >= 0))
  throw new Error('--writers, --raw-rows, --events, --live-events, --batch-size, --outage-* take whole numbers ≥ 1');
if (OPTIONS.batchSize > 1000) throw new Error('--batch-size is at most 1000 (the sink schema)');

/** The system clock, unless `fixed` is set: the outage's backlog is appended at the times it would have been. */
class BenchClock extends Clock {
  fixed = null;
  now() {
    return this.fixed === null ? new Date() : new Date(this.fixed);
  }
}

async function main() {
  const loadAtStart = load();
  const prefix = `sgbench-${process.pid}`;
  const database = await createBenchDatabase();
  const db = new pg.Client({ connectionString: database.url });
  const serverArgs = {
    databaseUrl: database.url,
    redisPrefix: prefix,
    operatorToken: randomUUID().replaceAll('-', ''),
    logLevel: args['log-level'],
    env: {
      // The worker opens the secrets this process seals.
      STEPGUARD_ENCRYPTION_KEYS: `bench1:${randomBytes(32).toString('base64')}`,
      STEPGUARD_AUDIT_SIGNING_KEY: `bench1:${randomBytes(32).toString('base64')}`,
      AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1',
    },
  };
  const clock = new BenchClock();
  const failures = [];
  let app;
  let rig;
  try {
    await db.connect();
    const config = benchConfig(serverArgs);
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { clock }), {
      logger: false,
      abortOnError: false,
    });
    const { rows } = await db.query(`select version() as v, current_setting('synchronous_commit') as sc`);
    console.log(
      `audit-stream: node ${process.version}, ${CPUS} CPUs (${cpus()[0]?.model}) shared by PostgreSQL, Redis, ` +
        `rsyslogd and every process of the bench; ${rows[0].v.split(' ').slice(0, 2).join(' ')} ` +
        `(synchronous_commit ${rows[0].sc}); load average at the start ${loadAtStart}`,
    );
    const poolMax = config.env.DATABASE_POOL_MAX;
    const ctx = { app, db, clock, failures, databaseUrl: database.url, poolMax, opts: OPTIONS };
    if (PARTS.has('append')) await appendPart(ctx);
    if (PARTS.has('stream') || PARTS.has('outage')) {
      rig = await startStreamRig(serverArgs);
      if (PARTS.has('stream')) await streamPart({ ...ctx, rig });
      if (PARTS.has('outage')) await outagePart({ ...ctx, rig });
      failures.push(...rig.collector.problems);
    }
    console.log(`\nload average at the end: ${load()} on ${CPUS} CPUs`);
    if (failures.length) throw new Error(`the run is wrong:\n  ${failures.join('\n  ')}`);
  } finally {
    await rig?.stop();
    await app?.close();
    await db.end().catch(() => undefined);
    await database.drop();
    await deleteRedisKeys(prefix);
  }
}

await main();
