import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ROLES } from '../../src/common/access/roles.js';
import type { MfaPolicySettings } from '../../src/policy/mfa-policy.js';
import { APPS } from '../../src/identity/apps/app-kinds.js';
import { evaluateMfa, MFA_METHODS } from '../../src/policy/policy-engine.js';
import { policyWeakenings } from '../../src/policy/policy-weakenings.js';
import { leniencyOf } from '../support/mfa-leniency.js';

const DAY = 24 * 60 * 60 * 1000;
const required: MfaPolicySettings = {
  requireMfa: true,
  requiredRoles: ['admin', 'manager'],
  gracePeriodDays: 7,
  allowedMethods: ['totp', 'email'],
  enforceOn: ['console', 'client'],
  connectionPolicy: { totpPriorConnection: true, biometricPriorConnection: false },
  rememberDeviceDays: 30,
  reauthMaxAgeMinutes: 10,
  reminderDays: [7, 1],
  passkeySignIn: false,
  phishingResistantRoles: [],
};
const offered: MfaPolicySettings = { ...required, requireMfa: false };
const everyRole: MfaPolicySettings = { ...required, requiredRoles: [] };
const weakenings = (before: MfaPolicySettings, patch: Partial<MfaPolicySettings>) =>
  policyWeakenings(before, { ...before, ...patch });

describe('policyWeakenings', () => {
  it('finds none in the settings in force, or in a stricter policy', () => {
    expect(weakenings(required, {})).toEqual([]);
    expect(
      weakenings(required, {
        requiredRoles: [],
        gracePeriodDays: 0,
        rememberDeviceDays: 0,
        reauthMaxAgeMinutes: 5,
        enforceOn: ['client', 'console'],
      }),
    ).toEqual([]);
    expect(weakenings(offered, { requireMfa: true, allowedMethods: ['totp', 'email'] })).toEqual([]);
  });

  it('names turning MFA off', () => {
    expect(weakenings(required, { requireMfa: false })).toEqual(['requireMfa']);
  });

  it.each([
    ['a role left out', required, { requiredRoles: ['admin'] }, 'requiredRoles'],
    ['every role narrowed to some ([] means every role)', everyRole, { requiredRoles: ['admin'] }, 'requiredRoles'],
    ['an app left out', required, { enforceOn: ['client'] }, 'enforceOn'],
    ['no app at all', required, { enforceOn: [] }, 'enforceOn'],
    ['a longer grace period', required, { gracePeriodDays: 8 }, 'gracePeriodDays'],
  ] as const)('names %s while MFA stays required', (_what, before, patch, name) => {
    expect(weakenings(before, patch as Partial<MfaPolicySettings>)).toEqual([name]);
    // While MFA is not required, these settings protect nobody: changing them weakens nothing.
    expect(weakenings({ ...before, requireMfa: false }, patch as Partial<MfaPolicySettings>)).toEqual([]);
  });

  it('counts a list of every role as no narrowing of "every role"', () => {
    expect(weakenings(everyRole, { requiredRoles: [...ROLES] })).toEqual([]);
  });

  it.each([
    ['a method removed', { allowedMethods: ['totp'] }, 'allowedMethods'],
    ['devices remembered longer', { rememberDeviceDays: 31 }, 'rememberDeviceDays'],
    ['a longer re-auth window', { reauthMaxAgeMinutes: 11 }, 'reauthMaxAgeMinutes'],
    ['the connection check dropped', { connectionPolicy: { totpPriorConnection: false } }, 'connectionPolicy'],
  ] as const)('names %s, whether MFA is required or not', (_what, patch, name) => {
    expect(weakenings(required, patch as Partial<MfaPolicySettings>)).toEqual([name]);
    expect(weakenings(offered, patch as Partial<MfaPolicySettings>)).toEqual([name]);
  });

  it('names the passkey connection check dropped, a role no longer held to passkeys, and a role newly held', () => {
    const biometric = { ...required, connectionPolicy: { totpPriorConnection: true, biometricPriorConnection: true } };
    expect(weakenings(biometric, { connectionPolicy: required.connectionPolicy })).toEqual(['connectionPolicy']);
    expect(weakenings(required, { connectionPolicy: biometric.connectionPolicy })).toEqual([]);
    const heldToPasskeys = {
      ...required,
      phishingResistantRoles: ['admin', 'manager'] as MfaPolicySettings['phishingResistantRoles'],
    };
    expect(weakenings(heldToPasskeys, { phishingResistantRoles: ['admin'] })).toEqual(['phishingResistantRoles']);
    // Stricter: their people's codes still guard the sign-in, and stop counting toward compliance.
    expect(weakenings(required, { phishingResistantRoles: ['admin'] })).toEqual([]);
    expect(weakenings(heldToPasskeys, { phishingResistantRoles: ['manager', 'admin'] })).toEqual([]);
  });

  it('does not name passkey sign-in: a user-verified passkey is two factors and phishing-resistant', () => {
    expect(weakenings(required, { passkeySignIn: true })).toEqual([]);
    expect(weakenings({ ...required, passkeySignIn: true }, { passkeySignIn: false })).toEqual([]);
  });

  it('names every weakening one save carries, in a stable order', () => {
    expect(weakenings(required, { requireMfa: false, reauthMaxAgeMinutes: 60, allowedMethods: ['email'] })).toEqual([
      'requireMfa',
      'allowedMethods',
      'reauthMaxAgeMinutes',
    ]);
  });

  it('finds a weakening whenever the policy engine would ask less of anyone', () => {
    const settings = fc.record({
      requireMfa: fc.boolean(),
      requiredRoles: fc.subarray([...ROLES]),
      gracePeriodDays: fc.integer({ min: 0, max: 90 }),
      enforceOn: fc.subarray([...APPS]),
      allowedMethods: fc.subarray([...MFA_METHODS], { minLength: 1 }),
      phishingResistantRoles: fc.subarray([...ROLES]),
    });
    const subject = fc.record({
      roles: fc.subarray([...ROLES], { minLength: 1 }),
      factors: fc.subarray([...MFA_METHODS]),
      app: fc.constantFrom(...APPS, null),
      inScopeForMs: fc.integer({ min: 0, max: 100 * DAY }),
    });
    fc.assert(
      fc.property(settings, settings, subject, (a, b, s) => {
        const before = { ...required, ...a };
        const after = { ...required, ...b };
        const now = new Date('2030-01-01T00:00:00Z');
        const policySubject = {
          kind: 'user' as const,
          roles: s.roles,
          activeFactorTypes: s.factors,
          scopeStartedAt: new Date(now.getTime() - s.inScopeForMs),
        };
        const asksLess =
          leniencyOf(evaluateMfa(after, policySubject, s.app, now)) >
          leniencyOf(evaluateMfa(before, policySubject, s.app, now));
        return !asksLess || policyWeakenings(before, after).length > 0;
      }),
    );
  });
});
