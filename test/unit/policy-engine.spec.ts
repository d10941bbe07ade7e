import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ROLES } from '../../src/common/access/roles.js';
import { APPS, type App } from '../../src/identity/apps/app-kinds.js';
import {
  MFA_METHODS,
  acceptedMethodsFor,
  evaluateMfa,
  type EnforcementRules,
  type MfaCompliance,
  type PolicySubject,
} from '../../src/policy/policy-engine.js';
import { leniencyOf } from '../support/mfa-leniency.js';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);

const rules = (patch: Partial<EnforcementRules> = {}): EnforcementRules => ({
  requireMfa: true,
  requiredRoles: [],
  gracePeriodDays: 7,
  allowedMethods: ['totp', 'email'],
  enforceOn: ['console', 'client'],
  phishingResistantRoles: [],
  ...patch,
});
const user = (patch: Partial<PolicySubject> = {}): PolicySubject => ({
  kind: 'user',
  roles: ['member'],
  activeFactorTypes: [],
  scopeStartedAt: now,
  ...patch,
});
const deadlineOf = (c: MfaCompliance) => ('deadline' in c ? c.deadline.getTime() : null);

describe('evaluateMfa', () => {
  it('exempts integrations, even from a policy that names every role', () => {
    expect(evaluateMfa(rules(), user({ kind: 'integration' }), 'console', now)).toEqual({ status: 'exempt' });
  });

  it('exempts everyone when the policy does not require MFA', () => {
    expect(evaluateMfa(rules({ requireMfa: false }), user(), 'console', now)).toEqual({ status: 'exempt' });
  });

  it('exempts a user with none of the required roles', () => {
    const adminsOnly = rules({ requiredRoles: ['admin'] });
    expect(evaluateMfa(adminsOnly, user({ roles: ['member'] }), 'console', now)).toEqual({ status: 'exempt' });
    expect(evaluateMfa(adminsOnly, user({ roles: ['member', 'admin'] }), 'console', now).status).toBe('grace');
  });

  it('reads an empty requiredRoles as every role, so emptying the list widens the scope', () => {
    const subject = user({ roles: ['member'] });
    expect(evaluateMfa(rules({ requiredRoles: ['admin'] }), subject, null, now).status).toBe('exempt');
    expect(evaluateMfa(rules({ requiredRoles: [] }), subject, null, now).status).toBe('grace');
  });

  it('exempts a user on an app the policy is not enforced on', () => {
    expect(evaluateMfa(rules({ enforceOn: ['console'] }), user(), 'client', now)).toEqual({ status: 'exempt' });
  });

  it('ignores enforceOn when no particular app is asked about', () => {
    expect(evaluateMfa(rules({ enforceOn: [] }), user(), null, now).status).toBe('grace');
  });

  it('finds a user with an active factor of an allowed method compliant', () => {
    const subject = user({ activeFactorTypes: ['email', 'totp'] });
    expect(evaluateMfa(rules({ allowedMethods: ['totp'] }), subject, 'console', now)).toEqual({ status: 'compliant' });
  });

  it('does not count a factor of a disallowed method', () => {
    const subject = user({ activeFactorTypes: ['email', 'email'] });
    expect(evaluateMfa(rules({ allowedMethods: ['totp'] }), subject, 'console', now).status).toBe('grace');
  });

  it('counts only a passkey for a user in a role held to phishing-resistant methods', () => {
    const strict = rules({ allowedMethods: ['totp', 'email', 'webauthn'], phishingResistantRoles: ['admin'] });
    const codesOnly = { activeFactorTypes: ['totp', 'email'] as const };
    expect(evaluateMfa(strict, user({ roles: ['admin'], ...codesOnly }), null, now).status).toBe('grace');
    expect(evaluateMfa(strict, user({ roles: ['manager'], ...codesOnly }), null, now).status).toBe('compliant');
    const passkey = user({ roles: ['admin', 'member'], activeFactorTypes: ['totp', 'webauthn'] });
    expect(evaluateMfa(strict, passkey, null, now).status).toBe('compliant');
  });

  it('accepts from a role held to passkeys only the passkeys the policy allows, and only while in scope', () => {
    const strict = rules({ allowedMethods: ['totp', 'webauthn'], phishingResistantRoles: ['admin'] });
    expect(acceptedMethodsFor(strict, ['admin'])).toEqual(['webauthn']);
    expect(acceptedMethodsFor(strict, ['member'])).toEqual(['totp', 'webauthn']);
    expect(acceptedMethodsFor({ ...strict, allowedMethods: ['totp'] }, ['admin'])).toEqual([]);
    // Not required of them: the factors they chose keep being asked for, codes included.
    expect(acceptedMethodsFor({ ...strict, requireMfa: false }, ['admin'])).toEqual(['totp', 'webauthn']);
    expect(acceptedMethodsFor({ ...strict, requiredRoles: ['member'] }, ['admin'])).toEqual(['totp', 'webauthn']);
  });

  it('gives grace until the exact deadline millisecond, and is overdue at it', () => {
    const deadline = at(7 * DAY);
    expect(evaluateMfa(rules(), user(), 'console', at(7 * DAY - 1))).toEqual({ status: 'grace', deadline });
    expect(evaluateMfa(rules(), user(), 'console', at(7 * DAY))).toEqual({ status: 'overdue', deadline });
  });

  it('is overdue at once with a grace period of 0 days', () => {
    expect(evaluateMfa(rules({ gracePeriodDays: 0 }), user(), 'console', now)).toEqual({
      status: 'overdue',
      deadline: now,
    });
  });

  it('counts a scope start that is not on record yet from now, so a missing record never makes anyone overdue', () => {
    const subject = user({ scopeStartedAt: null });
    expect(evaluateMfa(rules(), subject, 'console', now)).toEqual({ status: 'grace', deadline: at(7 * DAY) });
  });
});

// Arbitraries. Most cases are users under a policy that requires MFA, since exemption makes every
// law below hold trivially; the scope start is drawn near `now` (10 days ahead to 120 days back) so
// that grace and overdue both come up often against periods of 0..90 days.
const arbRules = fc.record({
  requireMfa: fc.constantFrom(true, true, true, false),
  requiredRoles: fc.subarray([...ROLES]),
  gracePeriodDays: fc.integer({ min: 0, max: 90 }),
  allowedMethods: fc.subarray([...MFA_METHODS]),
  enforceOn: fc.subarray([...APPS]),
  phishingResistantRoles: fc.oneof(fc.constant([]), fc.subarray([...ROLES])),
});
const arbApp: fc.Arbitrary<App | null> = fc.option(fc.constantFrom(...APPS), { nil: null });
const arbNow = fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true });
const arbCase = fc
  .record({
    rules: arbRules,
    kind: fc.constantFrom<PolicySubject['kind']>('user', 'user', 'user', 'user', 'integration'),
    roles: fc.subarray([...ROLES]),
    activeFactorTypes: fc.array(fc.constantFrom(...MFA_METHODS), { maxLength: 3 }),
    startedMsAgo: fc.option(fc.integer({ min: -10 * DAY, max: 120 * DAY }), { nil: null }),
    app: arbApp,
    now: arbNow,
  })
  .map(({ rules, kind, roles, activeFactorTypes, startedMsAgo, app, now }) => {
    const scopeStartedAt = startedMsAgo === null ? null : new Date(now.getTime() - startedMsAgo);
    return { rules, subject: { kind, roles, activeFactorTypes, scopeStartedAt }, app, now };
  });
type Case = { rules: EnforcementRules; subject: PolicySubject; app: App | null; now: Date };
const rankOf = ({ rules, subject, app, now }: Case) => leniencyOf(evaluateMfa(rules, subject, app, now));
const resultOf = ({ rules, subject, app, now }: Case) => evaluateMfa(rules, subject, app, now);
const runs = { numRuns: 1000 };

describe('evaluateMfa laws', () => {
  it('never lowers the rank when a factor of an allowed method is added', () => {
    const arb = fc.tuple(arbCase, fc.constantFrom(...MFA_METHODS), fc.nat());
    fc.assert(
      fc.property(arb, ([c, method, position]) => {
        const r = { ...c.rules, allowedMethods: [...new Set([...c.rules.allowedMethods, method])] };
        const types = [...c.subject.activeFactorTypes];
        types.splice(position % (types.length + 1), 0, method);
        const added = { ...c, rules: r, subject: { ...c.subject, activeFactorTypes: types } };
        expect(rankOf(added)).toBeGreaterThanOrEqual(rankOf({ ...c, rules: r }));
      }),
      runs,
    );
  });

  it('never creates a deadline by removing a role from a requiredRoles list that stays non-empty', () => {
    const arb = fc.tuple(arbCase, fc.subarray([...ROLES], { minLength: 2 }), fc.nat({ max: ROLES.length - 1 }));
    fc.assert(
      fc.property(arb, ([c, requiredRoles, drop]) => {
        const before = { ...c, rules: { ...c.rules, requiredRoles } };
        const fewer = requiredRoles.filter((_, i) => i !== drop % requiredRoles.length);
        const after = { ...c, rules: { ...c.rules, requiredRoles: fewer } };
        if (deadlineOf(resultOf(before)) === null) expect(deadlineOf(resultOf(after))).toBeNull();
      }),
      runs,
    );
  });

  it('exempts everyone when MFA is not required', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        expect(resultOf({ ...c, rules: { ...c.rules, requireMfa: false } })).toEqual({ status: 'exempt' });
      }),
      runs,
    );
  });

  it('always exempts integrations', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        expect(resultOf({ ...c, subject: { ...c.subject, kind: 'integration' } })).toEqual({ status: 'exempt' });
      }),
      runs,
    );
  });

  it('never raises the rank as time passes', () => {
    fc.assert(
      fc.property(arbCase, fc.integer({ min: 0, max: 120 * DAY }), (c, later) => {
        const next = { ...c, now: new Date(c.now.getTime() + later) };
        expect(rankOf(next)).toBeLessThanOrEqual(rankOf(c));
      }),
      runs,
    );
  });

  it('never lowers the rank nor moves a deadline earlier with a longer grace period', () => {
    const periods = fc.tuple(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 90 }));
    fc.assert(
      fc.property(arbCase, periods, (c, [a, b]) => {
        const shorter = { ...c, rules: { ...c.rules, gracePeriodDays: Math.min(a, b) } };
        const longer = { ...c, rules: { ...c.rules, gracePeriodDays: Math.max(a, b) } };
        expect(rankOf(longer)).toBeGreaterThanOrEqual(rankOf(shorter));
        const [d1, d2] = [deadlineOf(resultOf(shorter)), deadlineOf(resultOf(longer))];
        if (d1 !== null && d2 !== null) expect(d2).toBeGreaterThanOrEqual(d1);
      }),
      runs,
    );
  });

  it('puts the deadline at the scope start (or now) + gracePeriodDays days, whatever now is once the start is known', () => {
    fc.assert(
      fc.property(arbCase, fc.integer({ min: -120 * DAY, max: 120 * DAY }), (c, shift) => {
        const deadline = deadlineOf(resultOf(c));
        if (deadline === null) return;
        const start = c.subject.scopeStartedAt ?? c.now;
        expect(deadline).toBe(start.getTime() + c.rules.gracePeriodDays * DAY);
        if (c.subject.scopeStartedAt === null) return;
        const elsewhen = { ...c, now: new Date(c.now.getTime() + shift) };
        expect(deadlineOf(resultOf(elsewhen))).toBe(deadline);
      }),
      runs,
    );
  });

  it('never lowers the rank when an additional method is allowed', () => {
    fc.assert(
      fc.property(arbCase, fc.constantFrom(...MFA_METHODS), (c, method) => {
        const wider = {
          ...c,
          rules: { ...c.rules, allowedMethods: [...new Set([...c.rules.allowedMethods, method])] },
        };
        expect(rankOf(wider)).toBeGreaterThanOrEqual(rankOf(c));
      }),
      runs,
    );
  });

  it('never raises the rank when a role is added to phishingResistantRoles', () => {
    fc.assert(
      fc.property(arbCase, fc.constantFrom(...ROLES), (c, role) => {
        const roles = [...new Set([...c.rules.phishingResistantRoles, role])];
        const stricter = { ...c, rules: { ...c.rules, phishingResistantRoles: roles } };
        expect(rankOf(stricter)).toBeLessThanOrEqual(rankOf(c));
      }),
      runs,
    );
  });

  it('finds a user with an allowed passkey as they would be without phishingResistantRoles', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const withPasskey = {
          ...c,
          rules: { ...c.rules, allowedMethods: [...new Set([...c.rules.allowedMethods, 'webauthn' as const])] },
          subject: { ...c.subject, activeFactorTypes: [...c.subject.activeFactorTypes, 'webauthn' as const] },
        };
        const none = { ...withPasskey, rules: { ...withPasskey.rules, phishingResistantRoles: [] } };
        expect(resultOf(withPasskey)).toEqual(resultOf(none));
        expect(resultOf(withPasskey).status).not.toMatch(/grace|overdue/);
      }),
      runs,
    );
  });

  it('never finds a user in a role held to passkeys compliant with codes alone', () => {
    const codes = fc.array(fc.constantFrom(...MFA_METHODS.filter((m) => m !== 'webauthn')), { maxLength: 3 });
    fc.assert(
      fc.property(arbCase, fc.constantFrom(...ROLES), codes, (c, role, types) => {
        const held = {
          ...c,
          rules: { ...c.rules, phishingResistantRoles: [...new Set([...c.rules.phishingResistantRoles, role])] },
          subject: { ...c.subject, roles: [...new Set([...c.subject.roles, role])], activeFactorTypes: types },
        };
        expect(resultOf(held).status).not.toBe('compliant');
      }),
      runs,
    );
  });

  it('never raises the rank when passkeys stop being allowed', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const without = {
          ...c,
          rules: { ...c.rules, allowedMethods: c.rules.allowedMethods.filter((m) => m !== 'webauthn') },
        };
        expect(rankOf(without)).toBeLessThanOrEqual(rankOf(c));
      }),
      runs,
    );
  });
});
