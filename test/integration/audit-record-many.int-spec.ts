import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditLog } from '../../src/audit/audit-log.js';
import { AuditVerifier } from '../../src/audit/audit-verifier.js';
import { UnitOfWork } from '../../src/common/cqrs/unit-of-work.js';
import { aTenant, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

class SomethingHappenedEvent {
  static readonly type = 'SomethingHappened';
  constructor(
    readonly tenantId: string,
    readonly n: number,
  ) {}
}

describe('AuditLog.recordMany (the group commit of the Disconnect API)', () => {
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp();
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const recordMany = (count: number) =>
    t.app.get(UnitOfWork).run((tx) =>
      t.app.get(AuditLog).recordMany(
        tx,
        acme.id,
        Array.from({ length: count }, (_, n) => ({
          event: new SomethingHappenedEvent(acme.id, n),
          entry: { actor: { type: 'system' as const, id: null }, details: { n } },
        })),
      ),
    );

  it('appends 2,500 entries in order across several inserts, and the chain still verifies', async () => {
    const [{ last_seq: before }] = await t.sql('select last_seq from audit_chains where chain_key = $1', [acme.id]);
    const appended = await recordMany(2500);
    expect(appended.map((e) => Number(e.seq))).toEqual(Array.from({ length: 2500 }, (_, i) => Number(before) + 1 + i));
    const rows = await t.sql(
      `select seq, details->>'n' as n from audit_events where chain_key = $1 and action = 'SomethingHappened' order by seq`,
      [acme.id],
    );
    expect(rows.map((r) => Number(r.n))).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    const [head] = await t.sql('select last_seq, last_hash from audit_chains where chain_key = $1', [acme.id]);
    expect(head).toEqual({ last_seq: appended.at(-1)!.seq, last_hash: appended.at(-1)!.hash });
    expect(await t.app.get(AuditVerifier).verify(acme.id)).toMatchObject({ ok: true });
  });

  it('keeps the chain whole when rounds and single records race', async () => {
    await Promise.all([recordMany(50), recordMany(1), recordMany(30), recordMany(7)]);
    expect(await t.app.get(AuditVerifier).verify(acme.id)).toMatchObject({ ok: true });
  });

  it('refuses an event of another tenant', async () => {
    await expect(
      t.app.get(UnitOfWork).run((tx) =>
        t.app.get(AuditLog).recordMany(tx, acme.id, [
          {
            event: new SomethingHappenedEvent('00000000-0000-4000-8000-000000000000', 1),
            entry: { actor: { type: 'system', id: null } },
          },
        ]),
      ),
    ).rejects.toThrow('recordMany takes events of one tenant');
  });
});
