import type { Role } from '../common/access/roles.js';
import type { App } from '../identity/index.js';
import type { EnforcementRules, MfaMethod } from './policy-engine.js';

/** A tenant's MFA policy as admins read and write it (API.md, `/v1/admin/mfa-policy`). */
export interface MfaPolicySettings extends EnforcementRules {
  requireMfa: boolean;
  requiredRoles: Role[];
  gracePeriodDays: number;
  allowedMethods: MfaMethod[];
  enforceOn: App[];
  /** Live connections need an MFA check within the re-auth window to connect (the step-up gateway). */
  connectionPolicy: { totpPriorConnection: boolean };
  /** How long a remembered device skips the second factor; 0 remembers none. */
  rememberDeviceDays: number;
  /** How recent a password or factor check must be for sensitive changes. */
  reauthMaxAgeMinutes: number;
  /** Days before an enrolment deadline when a reminder is e-mailed, largest first; none: no reminders. */
  reminderDays: number[];
}

/** A policy as an admin sends it: without reminder days, the version in force keeps its own. */
export type MfaPolicyChange = Omit<MfaPolicySettings, 'reminderDays'> & { reminderDays?: number[] | undefined };

/** What a tenant that never saved a policy gets: MFA offered, not required. */
export function defaultPolicy(reauthMaxAgeMinutes: number, reminderDays: readonly number[]): MfaPolicySettings {
  return {
    requireMfa: false,
    requiredRoles: [],
    gracePeriodDays: 14,
    allowedMethods: ['totp', 'email'],
    enforceOn: ['console', 'client'],
    connectionPolicy: { totpPriorConnection: false },
    rememberDeviceDays: 30,
    reauthMaxAgeMinutes,
    reminderDays: [...reminderDays],
  };
}

export type PolicyDiff = Partial<Record<keyof MfaPolicySettings, { from: unknown; to: unknown }>>;

/** The settings that differ, each with its old and new value (sets compared without order). */
export function diffPolicies(before: MfaPolicySettings, after: MfaPolicySettings): PolicyDiff {
  const diff: PolicyDiff = {};
  for (const key of Object.keys(after) as (keyof MfaPolicySettings)[]) {
    if (canonical(before[key]) !== canonical(after[key])) diff[key] = { from: before[key], to: after[key] };
  }
  return diff;
}

function canonical(value: unknown): string {
  return JSON.stringify(Array.isArray(value) ? [...value].sort() : value);
}
