// Which pool size is correct on the embedded database (PGlite behind @electric-sql/pglite-socket)?
//
//   npm run build && npm exec -- node bench/embedded-pool.bench.js [--pools 1,2,5,10] [--runs 3] [--rounds 4] [--parallel 50]
//
// Plain JS on the built code: the app's own MikroORM config (dist/) on PGlite served exactly as
// src/bootstrap/embedded-postgres.ts serves it, except that the socket server accepts enough
// connections for the largest pool measured (the app's server caps them at a few, see that file).
// For each pool size it runs three workloads and prints whether the results were correct and how fast:
//   transactions  rounds x parallel em.transactional(): upsert-returning a chain head, select ... for
//                 update, insert a numbered event, conditional update of the head (every 10th one
//                 throws after its writes and must leave nothing); afterwards the chain must be gap-free.
//   interleaved   two pooled connections: A begins and inserts, B reads; does B see A's row, wait, or run?
//   statements    statements outside transactions, concurrently, on the ORM's pg pool: 1 MB inserts
//                 among small selects of distinct SQL; every result is checked.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../dist/src/infra/database/orm-config.js';

const { values: args } = parseArgs({
  options: {
    pools: { type: 'string', default: '1,2,5,10' },
    rounds: { type: 'string', default: '4' },
    parallel: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
  },
});
const POOLS = args.pools.split(',').map(Number);
const ROUNDS = Number(args.rounds);
const PARALLEL = Number(args.parallel);
const RUNS = Number(args.runs);
const WORKLOAD_TIMEOUT_MS = 60_000;

const SCHEMA = `
  create table bench_chains (k text primary key, last_seq int not null);
  create table bench_events (k text not null, seq int not null, tx int not null, unique (k, seq));
  create table bench_items (tx int primary key, note text not null);
  create table bench_blobs (id int primary key, body text not null);`;

class Rollback extends Error {}

async function transactions(orm) {
  const failures = new Map();
  let committed = 0;
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        const tx = round * PARALLEL + i;
        try {
          await orm.em.fork().transactional(async (em) => {
            await em.execute('insert into bench_items (tx, note) values (?, ?)', [tx, `tx ${tx}`]);
            const [head] = await em.execute(
              `insert into bench_chains (k, last_seq) values ('c', 0)
               on conflict (k) do update set k = excluded.k returning last_seq`,
            );
            const [locked] = await em.execute(`select last_seq from bench_chains where k = 'c' for update`);
            if (locked.last_seq !== head.last_seq) throw new Error('head moved under the row lock');
            await em.execute('insert into bench_events (k, seq, tx) values (?, ?, ?)', ['c', head.last_seq + 1, tx]);
            const updated = await em.execute(
              `update bench_chains set last_seq = last_seq + 1 where k = 'c' and last_seq = ?`,
              [head.last_seq],
              'run',
            );
            if (updated.affectedRows !== 1) throw new Error(`conditional update hit ${updated.affectedRows} rows`);
            if (tx % 10 === 9) throw new Rollback();
          });
          committed++;
        } catch (error) {
          if (error instanceof Rollback) return;
          const key = String(error.message).slice(0, 80);
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const em = orm.em.fork();
  const [state] = await em.execute(`select
      (select count(*)::int from bench_items) as items,
      (select count(*)::int from bench_events) as events,
      (select coalesce(max(seq), 0)::int from bench_events) as max_seq,
      (select coalesce(max(last_seq), 0)::int from bench_chains) as head,
      (select count(*)::int from bench_events e join bench_items i using (tx)) as matched`);
  const expected = ROUNDS * PARALLEL - Math.floor((ROUNDS * PARALLEL) / 10);
  const consistent =
    committed === expected &&
    [state.items, state.events, state.max_seq, state.head, state.matched].every((n) => n === expected);
  return {
    ok: consistent && failures.size === 0,
    detail: `${committed}/${expected} committed; rows: items ${state.items}, events ${state.events}, max seq ${state.max_seq}, head ${state.head}`,
    failures,
    perSecond: committed / seconds,
  };
}

async function interleaved(orm, poolMax) {
  if (poolMax < 2)
    return { ok: true, detail: 'n/a: one connection, the pool serialises transactions', failures: new Map() };
  const pool = await orm.em.getConnection().getNativeClient();
  const a = await pool.connect();
  const b = await pool.connect();
  try {
    await a.query('begin');
    await a.query(`insert into bench_items (tx, note) values (-1, 'uncommitted')`);
    const read = b.query('select count(*)::int as n from bench_items where tx = -1').then((r) => r.rows[0].n);
    const early = await Promise.race([read, sleep(1000).then(() => 'waiting')]);
    await a.query('rollback');
    const late = await read;
    const outcome =
      early === 'waiting'
        ? `B waited for A's transaction to end (then saw ${late} rows)`
        : early === 0
          ? 'B ran alongside A and did not see its row (isolated)'
          : `B saw A's uncommitted row (${early}): transactions bleed`;
    return { ok: early === 'waiting' ? late === 0 : early === 0, detail: outcome, failures: new Map() };
  } finally {
    a.release();
    b.release();
  }
}

async function statements(orm) {
  // The ORM's own pg pool, used directly: MikroORM sends these same Parse/Bind/Execute messages, but
  // takes about a second to prepare a 2 MB parameter, which would make this workload minutes long.
  const pool = await orm.em.getConnection().getNativeClient();
  const big = 'x'.repeat(1_000_000);
  const failures = new Map();
  let wrong = 0;
  const count = 200;
  const repeats = 5;
  const started = performance.now();
  for (let repeat = 0; repeat < repeats; repeat++) {
    await pool.query('truncate bench_blobs');
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        try {
          if (i % 10 === 0) {
            const sql = 'insert into bench_blobs (id, body) values ($1, $2) returning id, length(body) as len';
            const [row] = (await pool.query(sql, [i, big])).rows;
            if (row?.id !== i || row?.len !== big.length) wrong++;
          } else {
            // Distinct SQL with the same parameter count as the insert: a swapped unnamed statement
            // runs without an error and shows up only as a wrong row.
            const [row] = (await pool.query(`select $1::int * ${i} as v, $2::text as k`, [i, String(i)])).rows;
            if (row?.v !== i * i || row?.k !== String(i)) wrong++;
          }
        } catch (error) {
          const key = String(error.message).replace(/\s+/g, ' ').slice(0, 80);
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const failed = [...failures.values()].reduce((sum, n) => sum + n, 0);
  return {
    ok: wrong === 0 && failures.size === 0,
    cell:
      wrong + failed === 0
        ? `correct (${count * repeats})`
        : `WRONG: ${wrong} wrong rows, ${failed} errors of ${count * repeats}`,
    detail: `${count * repeats - wrong - failed}/${count * repeats} right, ${wrong} wrong rows (1 MB inserts answered by another statement, not stored)`,
    failures,
    rate: `${Math.round((count * repeats) / seconds)} stmt/s`,
  };
}

/** All runs must be correct; the rate is the median, the spread is shown because this machine is noisy. */
function summarise(runs) {
  const rates = runs.map((r) => r.perSecond ?? 0).sort((a, b) => a - b);
  const failures = new Map(runs.flatMap((r) => [...r.failures]));
  return {
    ok: runs.every((r) => r.ok),
    detail: runs.find((r) => !r.ok)?.detail ?? `${runs.length} runs: ${runs[0].detail}`,
    failures,
    rate: `${Math.round(rates[Math.floor(rates.length / 2)])} tx/s (median; ${Math.round(rates[0])}-${Math.round(rates.at(-1))})`,
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

async function withTimeout(work) {
  const timeout = sleep(WORKLOAD_TIMEOUT_MS).then(() => ({
    ok: false,
    detail: `no result after ${WORKLOAD_TIMEOUT_MS / 1000} s (hung)`,
    failures: new Map(),
  }));
  return Promise.race([
    work.catch((error) => ({ ok: false, detail: `aborted: ${error.message}`, failures: new Map() })),
    timeout,
  ]);
}

async function measure(url, poolMax) {
  const orm = await MikroORM.init(ormConfig({ url, poolMax }));
  try {
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      await orm.em.fork().execute('truncate bench_chains, bench_events, bench_items, bench_blobs');
      runs.push(await withTimeout(transactions(orm)));
    }
    return {
      transactions: summarise(runs),
      interleaved: await withTimeout(interleaved(orm, poolMax)),
      statements: await withTimeout(statements(orm)),
    };
  } finally {
    await orm.close(true).catch(() => undefined);
  }
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'stepguard-bench-'));
  const db = await PGlite.create({ dataDir: join(dir, 'pgdata') });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: Math.max(...POOLS) + 4 });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres`;
  try {
    const setup = await MikroORM.init(ormConfig({ url, poolMax: 1 }));
    await setup.migrator.up();
    await setup.em.fork().execute(SCHEMA);
    await setup.close(true);
    const [{ version }] = (await db.query('select version()')).rows;
    console.log(
      `${version}\nPGlite over pglite-socket; ${RUNS} runs of ${ROUNDS} x ${PARALLEL} transactions per pool size\n`,
    );
    await measure(url, 1); // warm-up: JIT and PGlite caches, so the first pool size is not penalised
    const rows = [];
    for (const poolMax of POOLS) {
      const result = await measure(url, poolMax);
      rows.push([poolMax, result]);
      report(poolMax, result);
    }
    console.log('\n| pool.max | transactions | tx/s | interleaved | statements outside tx | stmt/s |');
    console.log('|---|---|---|---|---|---|');
    for (const [poolMax, r] of rows) {
      const mark = (x) => (x.ok ? 'correct' : 'WRONG');
      const interleaving = r.interleaved.ok ? r.interleaved.detail.split(':')[0].split(' (')[0] : 'WRONG';
      const cells = [
        poolMax,
        mark(r.transactions),
        r.transactions.rate ?? '-',
        interleaving,
        r.statements.cell ?? mark(r.statements),
        r.statements.rate ?? '-',
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  } finally {
    await server.stop();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function report(poolMax, result) {
  console.log(`pool.max = ${poolMax}`);
  for (const [name, r] of Object.entries(result)) {
    console.log(`  ${name.padEnd(12)} ${r.ok ? 'correct' : 'WRONG  '}  ${r.detail}${r.rate ? `, ${r.rate}` : ''}`);
    for (const [message, n] of r.failures) console.log(`      ${n} x ${message}`);
  }
}

await main();
// A hung workload leaves pooled sockets open; the figures are printed, so end here.
process.exit(0);
