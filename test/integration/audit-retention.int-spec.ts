import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  AuditLog,
  type AuditLogReport,
  AuditVerifier,
  type PurgedAuditLog,
  PurgeAuditLogCommand,
  TakeAuditCheckpointsCommand,
} from '../../src/audit/index.js';
import { SYSTEM_ACTOR } from '../../src/common/actor.js';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant } from '../support/builders.js';
import { cli } from '../support/cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DAY = 24 * 3_600_000;
/** The database decides "a day ago" by its own clock: the test's clock runs at real time, moved by days. */
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
/** Checkpoints days apart are not what these tests are about: a cadence that allows them. */
const VERIFY = { maxGapMs: 365 * DAY, expectEvents: true };

describe('audit retention (AUDIT_RETENTION_DAYS=30)', () => {
  const clock = new ManualClock(NOW);
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { AUDIT_RETENTION_DAYS: '30' } });
  });
  afterAll(() => t.close());

  /** A chain of its own per test: `count` events at `at`, appended one transaction each. */
  async function append(chainKey: string, at: Date, count = 1): Promise<void> {
    clock.set(at);
    for (let i = 0; i < count; i++) {
      await t.app
        .get(MikroORM)
        .em.fork()
        .transactional((em) =>
          t.app.get(AuditLog).append(em, {
            tenantId: chainKey,
            action: 'SomethingHappened',
            outcome: 'success',
            actor: SYSTEM_ACTOR,
            details: { at: at.toISOString(), i },
          }),
        );
    }
    clock.set(NOW);
  }

  async function checkpoint(chainKey: string, at: Date): Promise<void> {
    clock.set(at);
    await t.app.get(CommandBus).execute(new TakeAuditCheckpointsCommand({ kind: 'chain', chainKey }));
    clock.set(NOW);
  }

  const purge = (chainKey: string, options: { dryRun?: boolean; batchSize?: number } = {}): Promise<PurgedAuditLog> =>
    t.app
      .get(CommandBus)
      .execute(new PurgeAuditLogCommand(SYSTEM_ACTOR, { kind: 'chain', chainKey }, options.dryRun, options.batchSize));

  const verify = (chainKey: string): Promise<AuditLogReport> =>
    t.app.get(AuditVerifier).verifyWithCheckpoints(chainKey, VERIFY);

  const seqsOf = async (chainKey: string) =>
    (await t.sql('select seq::int as seq from audit_events where chain_key = $1 order by seq', [chainKey])).map(
      (r) => r.seq as number,
    );

  const hashAt = async (chainKey: string, seq: number) =>
    (await t.sql('select hash from audit_events where chain_key = $1 and seq = $2', [chainKey, seq]))[0].hash as string;

  /** A sink receiving the chain, with its cursor at `deliveredSeq`; a tenant sink unless `platform`. */
  async function aSink(
    chainKey: string,
    state: 'active' | 'paused' | 'disabled',
    deliveredSeq: number,
    platform = false,
  ): Promise<string> {
    const id = randomUUID();
    await t.sql(
      `insert into audit_sinks (id, tenant_id, name, kind, format, settings, batch_size, state, created_at, updated_at)
       values ($1, $2, 'siem', 'webhook', 'native', '{}', 100, $3, now(), now())`,
      [id, platform ? null : chainKey, state],
    );
    await t.sql('insert into audit_sink_cursors (sink_id, chain_key, delivered_seq) values ($1, $2, $3)', [
      id,
      chainKey,
      deliveredSeq,
    ]);
    return id;
  }

  /** What a holder of the tables' owner role can do: disable the append-only trigger, then delete rows. */
  async function deleteAsOwner(sql: string, params: unknown[]): Promise<void> {
    await t.sql('alter table audit_events disable trigger audit_events_append_only');
    try {
      await t.sql(sql, params);
    } finally {
      await t.sql('alter table audit_events enable trigger audit_events_append_only');
    }
  }

  // First: `audit purge` runs over every chain, and the later tests leave one broken on purpose.
  it('audit purge and audit verify on the command line say what retention took', async () => {
    clock.set(daysAgo(100));
    const tenant = await aTenant(t.http);
    clock.set(NOW);
    const lastSeq = Number(
      (await t.sql('select last_seq from audit_chains where chain_key = $1', [tenant.id]))[0].last_seq,
    );
    await checkpoint(tenant.id, NOW);
    const paused = await aSink(tenant.id, 'paused', 1);

    const dry = await cli(t.config, 'audit', 'purge', '--dry-run');
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(dry.out.split('\n')).toEqual([
      expect.stringMatching(
        /^would purge 1 event and 0 checkpoints older than .* \(AUDIT_RETENTION_DAYS=30\) from 1 chain$/,
      ),
      `held by sink ${paused}, which has not received the older events: tenant ${tenant.id} at seq 1`,
    ]);
    expect(await seqsOf(tenant.id)).toHaveLength(lastSeq);
    // A sink that will never be resumed: its admin deletes it, and it holds nothing back any more.
    await t.sql('delete from audit_sinks where id = $1', [paused]);

    const run = await cli(t.config, 'audit', 'purge');
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/^purged \d+ events and 0 checkpoints older than .* in 1 purge$/);
    expect(await seqsOf(tenant.id)).toEqual([lastSeq, lastSeq + 1]);

    const verified = await cli(t.config, 'audit', 'verify', '--tenant', tenant.slug);
    expect(verified).toMatchObject({ code: 0, err: '' });
    expect(verified.out).toContain(`events 1-${lastSeq - 1} purged by retention on `);
    expect(verified.out).toContain(`the walk starts at seq ${lastSeq} from the hash of seq ${lastSeq - 1}`);
    expect(verified.out).toContain(
      `OK: the audit chain of tenant ${tenant.slug} is intact (2 events, last seq ${lastSeq + 1})`,
    );
  });

  it('purges the events older than the cutoff, records where it stopped, and verify walks from there', async () => {
    const chain = randomUUID();
    await append(chain, daysAgo(100), 5);
    await checkpoint(chain, daysAgo(100));
    await append(chain, daysAgo(10), 3);
    await checkpoint(chain, NOW);
    const hash5 = await hashAt(chain, 5);

    const run = await purge(chain);

    expect(run).toMatchObject({ enabled: true, chains: 1, purges: 1, events: 5, checkpoints: 1, held: [], broken: [] });
    expect(run.cutoff).toEqual(daysAgo(30));
    expect(await seqsOf(chain)).toEqual([6, 7, 8, 9]);
    const [purgedEvent] = await t.sql(
      `select action, actor_type, details from audit_events where chain_key = $1 and seq = 9`,
      [chain],
    );
    expect(purgedEvent).toEqual({
      action: 'AuditRetentionPurged',
      actor_type: 'system',
      details: {
        purge: 1,
        cutoff: daysAgo(30).toISOString(),
        retentionDays: 30,
        fromSeq: 1,
        throughSeq: 5,
        throughHash: hash5,
        checkpointsFrom: 1,
        checkpointsThrough: 1,
      },
    });
    expect(await t.sql('select number::int, seq::int from audit_checkpoints where chain_key = $1', [chain])).toEqual([
      { number: 2, seq: 8 },
    ]);

    const report = await verify(chain);
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ ok: true, chain: { ok: true, checked: 4, lastSeq: 9 } });
    expect(report.purged).toMatchObject({ number: 1, throughSeq: 5, throughHash: hash5, checkpoint: { number: 1 } });
    // Nothing more is old enough: the purge's own event is young.
    expect(await purge(chain)).toMatchObject({ purges: 0, events: 0, checkpoints: 0 });
  });

  it('keeps the newest event of a chain, however old', async () => {
    const chain = randomUUID();
    await append(chain, daysAgo(100), 3);
    expect(await purge(chain)).toMatchObject({ events: 2 });
    expect(await seqsOf(chain)).toEqual([3, 4]);
    expect((await verify(chain)).chain).toMatchObject({ ok: true });
  });

  it('purges in bounded batches, each one a recorded purge, and the chain still verifies', async () => {
    const chain = randomUUID();
    await append(chain, daysAgo(60), 6);
    await append(chain, NOW);
    const run = await purge(chain, { batchSize: 2 });
    expect(run).toMatchObject({ purges: 3, events: 6 });
    const purges = await t.sql(
      `select number::int, from_seq::int, through_seq::int from audit_purges where chain_key = $1 order by number`,
      [chain],
    );
    expect(purges).toEqual([
      { number: 1, from_seq: 1, through_seq: 2 },
      { number: 2, from_seq: 3, through_seq: 4 },
      { number: 3, from_seq: 5, through_seq: 6 },
    ]);
    expect(await seqsOf(chain)).toEqual([7, 8, 9, 10]);
    expect((await verify(chain)).chain).toMatchObject({ ok: true, checked: 4 });
  });

  it('stops at the first event younger than the cutoff, even if older ones follow it', async () => {
    const chain = randomUUID();
    await append(chain, daysAgo(90), 2);
    await append(chain, daysAgo(5));
    // Committed after a younger one: seq order is commit order, occurrence order is not quite.
    await append(chain, daysAgo(90), 2);
    expect(await purge(chain)).toMatchObject({ events: 2 });
    expect(await seqsOf(chain)).toEqual([3, 4, 5, 6]);
  });

  describe('sinks', () => {
    it('holds the events an active sink has not received, and names it', async () => {
      const chain = randomUUID();
      await append(chain, daysAgo(100), 6);
      const sink = await aSink(chain, 'active', 2);
      const run = await purge(chain);
      expect(run).toMatchObject({ events: 2, held: [{ chainKey: chain, sinkId: sink, seq: 2 }] });
      expect(await seqsOf(chain)).toEqual([3, 4, 5, 6, 7]);

      await t.sql('update audit_sink_cursors set delivered_seq = 5 where sink_id = $1', [sink]);
      // Event 6 is old enough too, but the sink has not received it.
      expect(await purge(chain)).toMatchObject({ events: 3, held: [{ sinkId: sink, seq: 5 }] });
      expect(await seqsOf(chain)).toEqual([6, 7, 8]);
      expect((await verify(chain)).chain).toMatchObject({ ok: true });
    });

    it('holds them for a paused sink too: its admin will resume it', async () => {
      const chain = randomUUID();
      await append(chain, daysAgo(100), 4);
      const sink = await aSink(chain, 'paused', 1);
      expect(await purge(chain)).toMatchObject({ events: 1, held: [{ sinkId: sink, seq: 1 }] });
    });

    it('does not hold them for a disabled sink: its receiver answered 410 Gone', async () => {
      const chain = randomUUID();
      await append(chain, daysAgo(100), 4);
      await aSink(chain, 'disabled', 0);
      expect(await purge(chain)).toMatchObject({ events: 3, held: [] });
    });

    it('holds a whole chain for a platform sink that has no cursor on it yet, and from its cursor once it has', async () => {
      const chain = randomUUID();
      await append(chain, daysAgo(100), 4);
      const platformSink = await aSink(randomUUID(), 'active', 0, true);
      try {
        expect(await purge(chain)).toMatchObject({ events: 0, held: [{ sinkId: platformSink, seq: 0 }] });
        await t.sql('insert into audit_sink_cursors (sink_id, chain_key, delivered_seq) values ($1, $2, 4)', [
          platformSink,
          chain,
        ]);
        expect(await purge(chain)).toMatchObject({ events: 3, held: [] });
      } finally {
        // It would hold every other test's chain.
        await t.sql('delete from audit_sinks where id = $1', [platformSink]);
      }
    });

    it('holds checkpoints a sink has not received', async () => {
      const chain = randomUUID();
      await append(chain, daysAgo(100), 2);
      for (const days of [100, 99, 98]) await checkpoint(chain, daysAgo(days));
      await checkpoint(chain, NOW);
      const sink = await aSink(chain, 'active', 2);
      await t.sql('update audit_sink_cursors set delivered_checkpoint = 2 where sink_id = $1', [sink]);
      expect(await purge(chain)).toMatchObject({ events: 1, checkpoints: 2 });
      const left = await t.sql('select number::int from audit_checkpoints where chain_key = $1 order by number', [
        chain,
      ]);
      expect(left.map((r) => r.number)).toEqual([3, 4]);
      expect(await verify(chain)).toMatchObject({ ok: true, findings: [] });
    });
  });

  it('says in a dry run what would go, and deletes nothing', async () => {
    const chain = randomUUID();
    await append(chain, daysAgo(100), 5);
    await aSink(chain, 'active', 3);
    const run = await purge(chain, { dryRun: true });
    expect(run).toMatchObject({ purges: 0, events: 3, held: [{ seq: 3 }] });
    expect(await seqsOf(chain)).toEqual([1, 2, 3, 4, 5]);
    expect(await t.sql('select 1 from audit_purges where chain_key = $1', [chain])).toEqual([]);
  });

  it('purges nothing of a chain with a deletion nobody recorded, and verify still names it', async () => {
    const chain = randomUUID();
    await append(chain, daysAgo(100), 5);
    await deleteAsOwner('delete from audit_events where chain_key = $1 and seq = 3', [chain]);
    expect(await purge(chain)).toMatchObject({ events: 0, broken: [{ chainKey: chain, seq: 3, problem: 'seq_gap' }] });
    expect(await seqsOf(chain)).toEqual([1, 2, 4, 5]);
    // Called directly, the function refuses the range too: a hole is never laundered into a purge.
    await expect(t.sql('select * from audit_purge($1, $2, 5, 100)', [chain, daysAgo(30)])).rejects.toThrow(
      'is broken between seq 1 and 4: nothing purged',
    );
    expect((await verify(chain)).chain).toMatchObject({ ok: false, brokenAt: 3, problem: 'seq_gap' });
  });

  it('fails verification on a deletion after the purge horizon', async () => {
    const chain = randomUUID();
    await append(chain, daysAgo(100), 4);
    await append(chain, daysAgo(10), 2);
    await purge(chain);
    await deleteAsOwner('delete from audit_events where chain_key = $1 and seq = 5', [chain]);
    expect((await verify(chain)).chain).toMatchObject({ ok: false, brokenAt: 5, problem: 'seq_gap' });
  });

  it('fails verification on a purge the chain does not record (the function called without its event)', async () => {
    const chain = randomUUID();
    await append(chain, daysAgo(100), 4);
    const [direct] = await t.sql('select number::int, through_seq::int from audit_purge($1, $2, 4, 100)', [
      chain,
      daysAgo(30),
    ]);
    expect(direct).toEqual({ number: 1, through_seq: 3 });
    const report = await verify(chain);
    expect(report.chain).toMatchObject({ ok: false, brokenAt: 3, problem: 'purge_unrecorded' });
    expect(report.ok).toBe(false);
  });

  it('never purges anything younger than a day by the database clock, whatever cutoff it is given', async () => {
    const chain = randomUUID();
    await append(chain, new Date(NOW.getTime() - 3_600_000), 3);
    const rows = await t.sql('select * from audit_purge($1, $2, 3, 100)', [chain, new Date(NOW.getTime() + DAY)]);
    expect(rows).toEqual([]);
    expect(await seqsOf(chain)).toEqual([1, 2, 3]);
  });

  it('keeps the record of purges append-only, even for the owner outside the function', async () => {
    await expect(t.sql('delete from audit_purges')).rejects.toThrow('DELETE on audit_purges is refused');
    await expect(t.sql('update audit_purges set through_seq = 0')).rejects.toThrow('UPDATE on audit_purges is refused');
    await expect(
      t.sql(`insert into audit_purges values ('x', 1, now(), now(), null, 0, '', null, null)`),
    ).rejects.toThrow('INSERT on audit_purges is refused');
  });
});
