// How long does one MFA grace-period sweep take over a tenant of 1,000,000 users, and how much memory does it hold?
//
//   npm run bench:grace       (= npm run -s build && node bench/grace-sweep.bench.js)
//   npm exec -- node bench/grace-sweep.bench.js [--users 1000000] [--overdue 1000] [--reminders 5000] [--soon 100]
//                                               [--batch 1000] [--explain] [--log-level silent]
//
// --batch sets GRACE_SWEEP_BATCH_SIZE (default: the schema's), the batch size the worker sweeps with.
//
// The sweep is the app's own SweepGracePeriodsCommand, run once through the CommandBus of the built app
// (dist/) booted in-process as an application context, without WorkersModule: nothing consumes the
// queues, so no mail is sent and the enqueued jobs stay in Redis under the bench's throw-away prefix.
// Its clock is a ManualClock stopped at the start, so the seeded deadlines fall exactly where intended
// however long seeding and the sweep take. A fresh database `stepguard_bench_test_<pid>` is migrated by
// the app's MikroORM config; the tenant (and its admin) is created by CreateTenantCommand and policy
// version 1 is the app's MfaPolicyVersion entity (require MFA of role member, 30 days' grace, TOTP or
// e-mail). The users are then generated server-side by `insert ... select ... from generate_series(1, N)`
// (pg-copy-streams is not installed and plain `pg` has no COPY FROM STDIN; generating the rows in the
// server is as fast and ships no data at all): N users of role member (no password), every tenth with an
// active TOTP factor (placeholder ciphertext: the sweep never opens secrets), and a mfa_scope_starts row
// for every one. Their deadlines (scope start + 30 × 24 h) are, at the sweep's "now": --overdue 2 h to 25 h
// ago (enforced: a transaction re-checking the user, a notice row, revoking their sessions (none), an
// audit entry, then the outbox row relayed to the e-mail queue), --reminders 2 h to 7 days ahead (a
// reminder notice and e-mail, MFA_REMINDER_DAYS 7,1; a batch's reminders share a transaction), --soon 2 to 28 minutes ahead, i.e. before the next
// sweep (a reminder and a precise delayed `grace-deadline` job each), and all other users 8 to 30 days
// ahead (no action). Ids are md5-derived (v4-shaped) uuids, so every kind is spread over the whole keyset walk.
// The tables are then VACUUM ANALYZEd, as autovacuum would after such an insert; that is in the seed time.
// During the sweep process.memoryUsage() is sampled every 50 ms (peak RSS and heap used, next to the
// baseline just before it), and the handler's collaborators are timed by wrapping their methods (on the
// app's singleton instances, or a class's prototype): the candidate query of each batch, each enforcement,
// each batch's reminder transaction, the relay of a batch's e-mails to the queue, each schedule, and the
// writes of each batch as a whole. The sweep reads the next batch while it writes one, and writes a batch's
// enforcements, reminders and schedules side by side, so these totals overlap; the wall time less the
// writes is the time the sweep waited for candidate queries.
// Afterwards every count is checked against the seed, in the result and in the database and Redis.
// --explain prints EXPLAIN (ANALYZE, BUFFERS) of the app's own candidate query for the first batch and
// one from the middle of the walk. Everything runs on this machine: PostgreSQL, Redis and the app share
// its cores.
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import pg from 'pg';
import { AppModule } from '../dist/src/app/app.module.js';
import { NO_REQUEST } from '../dist/src/common/actor.js';
import { ManualClock } from '../dist/src/common/clock.js';
import { JobQueues } from '../dist/src/infra/queues/job-queues.js';
import { OutboxRelay } from '../dist/src/infra/outbox/outbox-relay.js';
import { CreateTenantCommand } from '../dist/src/identity/commands/create-tenant.command.js';
import { SweepGracePeriodsCommand } from '../dist/src/compliance/commands/sweep-grace-periods.command.js';
import { SweepGracePeriodsHandler } from '../dist/src/compliance/commands/sweep-grace-periods.handler.js';
import { GracePeriodActions } from '../dist/src/compliance/grace/grace-period-actions.js';
import { MfaPolicyVersion } from '../dist/src/policy/mfa-policy-version.entity.js';
import { MfaStandings } from '../dist/src/compliance/standings/mfa-standings.js';
import { benchConfig } from './support/bench-config.js';
import { createBenchDatabase, deleteRedisKeys } from './support/bench-database.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    overdue: { type: 'string', default: '1000' },
    reminders: { type: 'string', default: '5000' },
    soon: { type: 'string', default: '100' },
    batch: { type: 'string' },
    explain: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'silent' },
  },
});
const USERS = Number(args.users);
const OVERDUE = Number(args.overdue);
const REMINDERS = Number(args.reminders);
const SOON = Number(args.soon);
const GRACE_DAYS = 30;
/** Every FACTOR_EVERY-th user has an active TOTP factor, so is no candidate. */
const FACTOR_EVERY = 10;
const OPERATOR = { type: 'operator', id: null };
const SAMPLE_MS = 50;
const CPUS = availableParallelism();
const MB = 1024 * 1024;

const WITHOUT_FACTOR = USERS - Math.floor(USERS / FACTOR_EVERY);
if (OVERDUE + REMINDERS + SOON > WITHOUT_FACTOR)
  throw new Error(`--overdue + --reminders + --soon exceed the ${WITHOUT_FACTOR} users without a factor`);

/** Policy version 1: MFA for members, 30 days' grace, TOTP or e-mail, on both apps. */
async function arrangeTenant(app, now) {
  const { tenant } = await app
    .get(CommandBus)
    .execute(
      new CreateTenantCommand(
        { slug: 'bench', name: 'Bench', admin: { email: 'admin@bench.example', password: randomUUID() } },
        OPERATOR,
        NO_REQUEST,
      ),
    );
  const settings = {
    requireMfa: true,
    requiredRoles: ['member'],
    gracePeriodDays: GRACE_DAYS,
    allowedMethods: ['totp', 'email'],
    enforceOn: ['console', 'client'],
    connectionPolicy: { totpPriorConnection: false },
    rememberDeviceDays: 30,
    reauthMaxAgeMinutes: 10,
  };
  const em = app.get(MikroORM).em.fork();
  em.persist(MfaPolicyVersion.of({ tenantId: tenant.id, version: 1, settings, by: OPERATOR, now }));
  await em.flush();
  // As a save does, the tenant's row names the version in force.
  await em.execute('update tenants set mfa_policy_version = 1 where id = ?', [tenant.id]);
  return tenant.id;
}

/**
 * Users 1..N, generated in the server. User i's id is derived from md5('grace-bench-' || i); j numbers the users
 * without a factor (every tenth has one) and decides their deadline's offset from now, in seconds.
 */
async function seedUsers(db, tenantId, now) {
  // md5's 32 hex digits with the version (4) and variant (8) nibbles set: a valid, evenly spread uuid.
  const id = `overlay(overlay(md5('grace-bench-' || i) placing '4' from 13) placing '8' from 17)::uuid`;
  const series = `from generate_series(1, $2::int) as i`;
  await db.query(
    `insert into users (id, tenant_id, email, password_hash, roles, created_at, updated_at)
     select ${id}, $1, 'member-' || i || '@bench.example', null, array['member'], $3, $3 ${series}`,
    [tenantId, USERS, now],
  );
  await db.query(
    `insert into factors (id, tenant_id, user_id, type, label, status, secret_key_id, secret_ciphertext,
                          last_used_step, created_at, verified_at, last_used_at)
     select gen_random_uuid(), $1, ${id}, 'totp', 'Authenticator app', 'active', 'bench1', 'bench-placeholder',
            null, $3, $3, null
     ${series} where i % ${FACTOR_EVERY} = 0`,
    [tenantId, USERS, now],
  );
  const H = 3600;
  const D = 24 * H;
  // [first j, count, offset of the first, offset of the last]; factor users get the far spread too.
  const kinds = [
    [1, OVERDUE, -2 * H, -25 * H],
    [1 + OVERDUE, REMINDERS, 2 * H, 7 * D - 2 * H],
    [1 + OVERDUE + REMINDERS, SOON, 2 * 60, 28 * 60],
    [1 + OVERDUE + REMINDERS + SOON, WITHOUT_FACTOR - OVERDUE - REMINDERS - SOON, 8 * D, 30 * D - H],
  ];
  const cases = kinds
    .filter(([, count]) => count > 0)
    .map(
      ([first, count, from, to]) =>
        `when j < ${first + count} then ${from} + (j - ${first})::float8 * ${(to - from) / Math.max(1, count - 1)}`,
    )
    .join(' ');
  await db.query(
    `insert into mfa_scope_starts (user_id, tenant_id, started_at)
     select ${id}, $1, $3::timestamptz + make_interval(secs => offset_s - ${GRACE_DAYS * D})
       from (select i, i - i / ${FACTOR_EVERY} as j ${series}) s
       cross join lateral (
         select case when i % ${FACTOR_EVERY} = 0 then ${8 * D} + (i % ${22 * D})::float8 ${cases} end as offset_s
       ) o`,
    [tenantId, USERS, now],
  );
  await db.query('vacuum analyze users, factors, mfa_scope_starts, mfa_policy_versions');
}

/** Sums and maxima of the time spent in `object[method]` (an instance's or a prototype's), for calls `when` accepts. */
function timeMethod(object, method, when = () => true) {
  const stat = { calls: 0, ms: 0, maxMs: 0 };
  const original = object[method];
  object[method] = async function (...params) {
    if (!when(...params)) return original.apply(this, params);
    const started = performance.now();
    try {
      return await original.apply(this, params);
    } finally {
      const ms = performance.now() - started;
      stat.calls++;
      stat.ms += ms;
      stat.maxMs = Math.max(stat.maxMs, ms);
    }
  };
  return stat;
}

function memorySampler() {
  const peak = { rss: 0, heapUsed: 0, samples: 0 };
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss);
    peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
    peak.samples++;
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) of the app's own candidate query, through an EntityManager that prefixes it. */
async function explainBatch(app, after, batch) {
  const em = app.get(MikroORM).em.fork();
  let plan = [];
  const explaining = {
    execute: async (sql, params) => {
      plan = await em.execute(`explain (analyze, buffers) ${sql}`, params);
      return [];
    },
  };
  await new MfaStandings(explaining).graceCandidatesAfter(after, batch);
  return plan.map((row) => row['QUERY PLAN']).join('\n');
}

async function counts(db, tenantId) {
  const { rows } = await db.query(
    `select (select count(*)::int from users where tenant_id = $1) as users,
            (select count(*)::int from mfa_grace_notices where kind = 'enforced') as enforced,
            (select count(*)::int from mfa_grace_notices where kind like 'reminder-%') as reminders,
            (select count(*)::int from outbox_messages where relayed_at is not null) as relayed,
            (select count(*)::int from audit_events where action = 'MfaGracePeriodExpired') as audited`,
    [tenantId],
  );
  return rows[0];
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const mb = (bytes) => `${(bytes / MB).toFixed(0)} MB`;

async function main() {
  const loadAtStart = load();
  const prefix = `sgbench-${process.pid}`;
  const database = await createBenchDatabase();
  const db = new pg.Client({ connectionString: database.url });
  let app;
  try {
    await db.connect();
    const config = benchConfig({
      databaseUrl: database.url,
      redisPrefix: prefix,
      operatorToken: randomUUID().replaceAll('-', ''),
      logLevel: args['log-level'],
      env: args.batch === undefined ? {} : { GRACE_SWEEP_BATCH_SIZE: args.batch },
    });
    const clock = new ManualClock(new Date());
    const now = clock.now();
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { clock }), {
      logger: false,
      abortOnError: false,
    });
    const { env } = config;
    const batch = env.GRACE_SWEEP_BATCH_SIZE;
    const tenantId = await arrangeTenant(app, now);

    const seedStarted = performance.now();
    await seedUsers(db, tenantId, now);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const expected = { candidates: WITHOUT_FACTOR, enforced: OVERDUE, reminded: REMINDERS + SOON, scheduled: SOON };

    console.log(
      `grace-sweep: SweepGracePeriodsCommand(${batch}) over ${USERS} users, node ${process.version}, ` +
        `${CPUS} CPUs shared by PostgreSQL, Redis and the app; load average at the start ${loadAtStart}`,
    );
    console.log(
      `seeded ${USERS} members (+1 admin) in ${seedSeconds.toFixed(1)} s (generate_series + vacuum analyze): ` +
        `${USERS - WITHOUT_FACTOR} with a TOTP factor, ${WITHOUT_FACTOR} candidates = ${OVERDUE} overdue + ` +
        `${REMINDERS} in the reminder window + ${SOON} due before the next sweep + ` +
        `${WITHOUT_FACTOR - OVERDUE - REMINDERS - SOON} far from the deadline ` +
        `(grace ${GRACE_DAYS} days, reminders ${env.MFA_REMINDER_DAYS.join(',')} days before, ` +
        `horizon 2 × ${env.GRACE_SWEEP_INTERVAL_MINUTES} min)`,
    );

    const queries = timeMethod(MfaStandings.prototype, 'graceCandidatesAfter');
    const enforcements = timeMethod(app.get(GracePeriodActions), 'commitEnforcement');
    const reminders = timeMethod(app.get(GracePeriodActions), 'commitReminders', (due) => due.length > 0);
    const relays = timeMethod(app.get(OutboxRelay), 'relayNow', (ids) => ids.length > 0);
    const schedules = timeMethod(app.get(JobQueues), 'add', (queue) => queue === 'grace');
    const writes = timeMethod(SweepGracePeriodsHandler.prototype, 'act');
    const commands = app.get(CommandBus);

    const baseline = process.memoryUsage();
    const sampler = memorySampler();
    const started = performance.now();
    const result = await commands.execute(new SweepGracePeriodsCommand(batch));
    const seconds = (performance.now() - started) / 1000;
    const peak = sampler.stop();
    const loadAtEnd = load();

    console.log(
      `sweep: ${seconds.toFixed(2)} s wall, ${(result.candidates / seconds).toFixed(0)} candidates/s, ` +
        `${queries.calls} batches of up to ${batch}`,
    );
    console.log(`result: ${JSON.stringify(result)}`);
    console.log(
      `memory: baseline RSS ${mb(baseline.rss)}, heap used ${mb(baseline.heapUsed)}; ` +
        `peak during the sweep RSS ${mb(peak.rss)}, heap used ${mb(peak.heapUsed)} ` +
        `(${peak.samples} samples every ${SAMPLE_MS} ms)`,
    );
    const row = (name, s) =>
      `  ${name.padEnd(22)}${String(s.calls).padStart(8)}${(s.ms / 1000).toFixed(2).padStart(10)}` +
      `${(s.calls ? s.ms / s.calls : 0).toFixed(2).padStart(10)}${s.maxMs.toFixed(1).padStart(10)}` +
      `${((s.ms / 1000 / seconds) * 100).toFixed(1).padStart(9)}%`;
    console.log(
      `  ${'where the time went'.padEnd(22)}${['calls', 'total s', 'mean ms', 'max ms', 'of wall'].map((h, i) => h.padStart(i === 4 ? 10 : i === 0 ? 8 : 10)).join('')}`,
    );
    console.log(row('candidate query', queries));
    console.log(row('enforce (1 user, 1 tx)', enforcements));
    console.log(row('remind (batch, 1 tx)', reminders));
    console.log(row('relay (batch)', relays));
    console.log(row('schedule (BullMQ add)', schedules));
    console.log(row("a batch's writes", writes));
    const waited = seconds * 1000 - writes.ms;
    console.log(
      `  ${'waiting for candidates'.padEnd(22)}${''.padStart(8)}${(waited / 1000).toFixed(2).padStart(10)}` +
        `${''.padStart(20)}${((waited / 1000 / seconds) * 100).toFixed(1).padStart(19)}%  (wall less the writes)`,
    );

    const stored = await counts(db, tenantId);
    const jobs = app.get(JobQueues);
    const email = await jobs.queue('email').getJobCounts('waiting', 'delayed', 'active');
    const grace = await jobs.queue('grace').getJobCounts('waiting', 'delayed', 'active');
    const emailJobs = email.waiting + email.delayed + email.active;
    console.log(
      `stored: ${stored.enforced} enforced and ${stored.reminders} reminder notices, ${stored.relayed} outbox rows ` +
        `relayed, ${stored.audited} MfaGracePeriodExpired audit entries; Redis: ${emailJobs} e-mail jobs, ` +
        `${grace.delayed} delayed grace-deadline jobs (no workers: none ran)`,
    );
    // Other work on the machine skews every figure above; the load average says how much there was.
    console.log(`load average at the end: ${loadAtEnd} on ${CPUS} CPUs`);

    if (args.explain) {
      console.log(`\nfirst batch:\n${await explainBatch(app, null, batch)}`);
      console.log(
        `\na batch from the middle:\n${await explainBatch(app, '80000000-0000-0000-0000-000000000000', batch)}`,
      );
    }

    const wrong = Object.entries(expected).filter(([k, v]) => result[k] !== v);
    if (wrong.length)
      throw new Error(`expected ${JSON.stringify(expected)}, the sweep returned ${JSON.stringify(result)}`);
    const notices = OVERDUE + REMINDERS + SOON;
    if (
      stored.users !== USERS + 1 ||
      stored.enforced !== OVERDUE ||
      stored.reminders !== REMINDERS + SOON ||
      stored.relayed !== notices ||
      stored.audited !== OVERDUE ||
      emailJobs !== notices ||
      grace.delayed !== SOON
    )
      throw new Error(`the database or Redis does not hold what the sweep reported: ${JSON.stringify(stored)}`);
  } finally {
    await app?.close();
    await db.end().catch(() => undefined);
    await database.drop();
    await deleteRedisKeys(prefix);
  }
}

await main();
