import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TakeAuditCheckpointsCommand } from '../../src/audit/index.js';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, signIn, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SCRIPT = fileURLToPath(new URL('../../tools/verify-audit-stream.mjs', import.meta.url));
const MINUTE = 60_000;

type Item = Record<string, any>;

/**
 * tools/verify-audit-stream.mjs, the SIEM side: run as a child process on streams built from real chains
 * (the events and checkpoints the API serves, in the native format's stream items), then on tampered copies.
 */
describe('the SIEM-side stream verifier', () => {
  const clock = new ManualClock('2030-01-01T00:00:00.000Z');
  let t: TestApp;
  let dir: string;
  let keysFile: string;
  let acme: Item[];
  let globex: Item[];

  beforeAll(async () => {
    t = await startTestApp({ clock });
    dir = await mkdtemp(join(tmpdir(), 'stepguard-stream-'));
    const a = await aTenant(t.http, 'acme');
    const g = await aTenant(t.http, 'globex');
    // Checkpoints between bursts of events, one of them while idle.
    for (let round = 0; round < 3; round++) {
      await aUser(t.http, a);
      await signIn(t.http, 'globex', g.admin.email);
      await t.app.get(CommandBus).execute(new TakeAuditCheckpointsCommand({ kind: 'due' }));
      clock.advance(5 * MINUTE);
    }
    await t.app.get(CommandBus).execute(new TakeAuditCheckpointsCommand({ kind: 'due' }));
    await signIn(t.http, 'acme', a.admin.email);
    acme = await streamOf(a);
    globex = await streamOf(g);
    keysFile = join(dir, 'keys.json');
    await writeFile(keysFile, JSON.stringify((await t.http.get('/.well-known/stepguard-audit-keys')).body));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A tenant's chain as a sink streams it: each checkpoint right after the event it covers. */
  async function streamOf(tenant: TenantFixture): Promise<Item[]> {
    const token = await signIn(t.http, tenant.slug, tenant.admin.email);
    const events = (await t.http.get('/v1/admin/audit?limit=500', token)).body.events as Item[];
    const checkpoints = (await t.http.get('/v1/audit-checkpoints?limit=500', token)).body.checkpoints as Item[];
    expect(checkpoints.length).toBe(4);
    return events.flatMap((e) => [
      { type: 'audit_event', ...e },
      ...checkpoints.filter((c) => c.seq === e.seq).map((c) => ({ type: 'audit_checkpoint', ...c })),
    ]);
  }

  async function verifyStream(
    items: Item[],
    options: { keys?: string; args?: string[]; stdin?: boolean } = {},
  ): Promise<{ code: number; out: string }> {
    const file = join(dir, `stream-${Math.random().toString(36).slice(2)}.ndjson`);
    const ndjson = items.map((item) => JSON.stringify(item)).join('\n') + '\n';
    await writeFile(file, ndjson);
    const args = [
      SCRIPT,
      '--keys',
      options.keys ?? keysFile,
      ...(options.args ?? []),
      ...(options.stdin ? [] : [file]),
    ];
    return new Promise((resolve) => {
      const child = execFile(process.execPath, args, (error, stdout) => {
        resolve({ code: error ? Number(error.code) : 0, out: stdout });
      });
      if (options.stdin) child.stdin!.end(ndjson);
      else child.stdin!.end();
    });
  }

  const checkpointsOf = (items: Item[]) => items.filter((i) => i.type === 'audit_checkpoint');
  const eventsOf = (items: Item[]) => items.filter((i) => i.type === 'audit_event');

  it('accepts the untouched stream of a chain, from a file or standard input', async () => {
    const events = eventsOf(acme);
    const expected = `OK chain ${events[0]!.tenantId}: events seq 1-${events.length} (${events.length}), 4 checkpoints up to #4\n`;
    expect(await verifyStream(acme)).toEqual({ code: 0, out: expected });
    expect(await verifyStream(acme, { stdin: true, args: ['--max-gap-minutes', '10'] })).toEqual({
      code: 0,
      out: expected,
    });
  });

  it('checks each chain of a platform stream on its own, and takes repeated deliveries as duplicates', async () => {
    const mixed = [...acme.slice(0, 5), ...globex, ...acme.slice(5), acme[2]!, checkpointsOf(acme)[0]!];
    const result = await verifyStream(mixed);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`OK chain ${acme[0]!.tenantId}: events seq 1-`);
    expect(result.out).toContain(', 2 duplicates ignored');
    expect(result.out).toContain(`OK chain ${globex[0]!.tenantId}: events seq 1-`);
  });

  it('names an edited event and a missing one', async () => {
    const edited = acme.map((i) => (i.type === 'audit_event' && i.seq === 2 ? { ...i, details: { edited: true } } : i));
    let result = await verifyStream(edited);
    expect(result.code).toBe(1);
    expect(result.out).toContain('the event at seq 2 does not hash to its hash: its content was changed');

    result = await verifyStream(acme.filter((i) => !(i.type === 'audit_event' && i.seq === 3)));
    expect(result.code).toBe(1);
    expect(result.out).toContain('seq 3 missing before seq 4');
  });

  it('names a tail cut after a checkpoint that covers it', async () => {
    const last = checkpointsOf(acme).at(-1)!;
    const cut = acme.filter((i) => i.type === 'audit_checkpoint' || i.seq <= last.seq - 2);
    const result = await verifyStream(cut);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `checkpoint #${last.number} covers seq ${last.seq}, but the events end at seq ${last.seq - 2}: events are missing`,
    );
  });

  it('names a forged checkpoint, a missing one, and one whose head is not the event received', async () => {
    const [first, second] = checkpointsOf(acme);
    let result = await verifyStream(acme.map((i) => (i === second ? { ...i, seq: i.seq - 1 } : i)));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`the signature of checkpoint #${second!.number} does not verify`);

    result = await verifyStream(acme.filter((i) => i !== second));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`checkpoint #3 follows #${first!.number}: heartbeats are missing`);

    // The event a checkpoint covers replaced by a rehashed one: the chain links, the checkpoint does not match.
    const rewritten = acme.map((i) =>
      i.type === 'audit_event' && i.seq === first!.seq ? { ...i, hash: 'f'.repeat(64) } : i,
    );
    result = await verifyStream(rewritten);
    expect(result.out).toContain(`checkpoint #${first!.number} signed another hash for seq ${first!.seq}`);
  });

  it('refuses checkpoints against keys that did not sign them', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const other = join(dir, 'other-keys.json');
    await writeFile(
      other,
      JSON.stringify({
        keys: [{ keyId: 'test1', algorithm: 'Ed25519', publicKey: publicKey.export({ format: 'jwk' }) }],
      }),
    );
    const result = await verifyStream(acme, { keys: other });
    expect(result.code).toBe(1);
    expect(result.out).toContain('the signature of checkpoint #1 does not verify');
  });

  it('names a gap in the cadence when given the longest gap allowed', async () => {
    const result = await verifyStream(acme, { args: ['--max-gap-minutes', '4'] });
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      'no checkpoint between #1 (2030-01-01T00:00:00.000Z) and #2 (2030-01-01T00:05:00.000Z)',
    );
  });
});
