import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { UnitOfWork } from '../../src/common/cqrs/unit-of-work.js';
import { TenantScope } from '../../src/common/tenant-scope.js';
import { Factor } from '../../src/factors/factor.entity.js';
import { FactorSecrets } from '../../src/factors/factor-secrets.js';
import { TotpVerifier } from '../../src/factors/totp/totp-verifier.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

type Verdict = 'accepted' | 'no_match' | 'step_refused';

/** Replay protection on active factors, through the verifier the login challenge and step-up will use. */
describe('TOTP replay protection', () => {
  const clock = new ManualClock('2030-01-01T08:00:10Z');
  let t: TestApp;
  let user: { id: string; token: string };
  let tenantId: string;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
    tenantId = acme.id;
  });
  afterAll(() => t.close());

  /** One verification as a request of the tenant runs it, inside the tenant's scope. */
  const attempt = (factorId: string, code: string) => TenantScope.run(tenantId, () => attemptInTenant(factorId, code));

  /** One verification as the verifier runs it: match outside the transaction, accept the step inside. */
  async function attemptInTenant(factorId: string, code: string): Promise<Verdict> {
    const uow = t.app.get(UnitOfWork);
    const verifier = t.app.get(TotpVerifier);
    const now = clock.now();
    const factor = await uow.reader().getRepository(Factor).findForUser(tenantId, user.id, factorId);
    const step = verifier.match(factor, code, now);
    if (!factor || step === null) return 'no_match';
    return (await uow.run((tx) => verifier.consume(tx, factor, step, now))) ? 'accepted' : 'step_refused';
  }

  let factor: { factorId: string; secret: string };
  beforeEach(async () => {
    clock.advance(10 * 60_000);
    // A user each time: a first factor, added on a fresh sign-in.
    user = await aUser(t.http, acme);
    factor = await enrolTotp(t.http, user.token);
    expect((await verifyFactor(t.http, user.token, factor.factorId, totpCodeAt(factor.secret, clock))).status).toBe(
      200,
    );
    clock.advance(60_000);
  });

  it('refuses a TOTP code already used for this factor', async () => {
    const code = totpCodeAt(factor.secret, clock);
    expect(await attempt(factor.factorId, code)).toBe('accepted');
    expect(await attempt(factor.factorId, code)).toBe('step_refused');
    clock.advance(20_000);
    expect(await attempt(factor.factorId, code)).toBe('step_refused');
  });

  it('refuses a step older than the last accepted one, even within the window and never used', async () => {
    expect(await attempt(factor.factorId, totpCodeAt(factor.secret, clock, +1))).toBe('accepted');
    expect(await attempt(factor.factorId, totpCodeAt(factor.secret, clock, 0))).toBe('step_refused');
    expect(await attempt(factor.factorId, totpCodeAt(factor.secret, clock, -1))).toBe('step_refused');
  });

  it('accepts steps -1, 0, +1 of the window in turn and never -2 or +2', async () => {
    const at = (offset: number) => attempt(factor.factorId, totpCodeAt(factor.secret, clock, offset));
    expect([await at(-2), await at(+2)]).toEqual(['no_match', 'no_match']);
    expect([await at(-1), await at(0), await at(+1)]).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('lets exactly one of 20 concurrent verifications of one code through', async () => {
    const code = totpCodeAt(factor.secret, clock);
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => attempt(factor.factorId, code)));
    expect(verdicts.filter((v) => v === 'accepted')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'step_refused')).toHaveLength(19);
  });

  it('verifies the RFC 6238 Appendix B SHA-1 vectors (as 6-digit codes) on a stored factor', async () => {
    // A 6-digit HOTP code is the last six digits of the 8-digit one (both are the same value mod 10^n).
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    const saved = clock.now();
    const rfc = await t.app.get(UnitOfWork).run(async (tx) => {
      const f = new Factor({ tenantId, userId: user.id, type: 'totp', label: 'rfc', now: new Date(0) });
      f.status = 'active';
      t.app.get(FactorSecrets).seal(f, Buffer.from('12345678901234567890', 'ascii'));
      tx.em.persist(f);
      return f;
    });
    try {
      for (const [seconds, code] of vectors) {
        clock.set(new Date(seconds * 1000));
        expect({ seconds, verdict: await attempt(rfc.id, code.slice(2)) }).toEqual({ seconds, verdict: 'accepted' });
        expect(await attempt(rfc.id, code.slice(2))).toBe('step_refused');
      }
    } finally {
      clock.set(saved);
    }
  });
});
