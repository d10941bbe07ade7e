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
  connectionPolicy: {
    /** Live connections need an MFA check within the re-auth window to connect (the step-up gateway). */
    totpPriorConnection: boolean;
    /**
     * Live connections need a passkey assertion with user verification (the device's biometrics or PIN)
     * within the re-auth window; passkey ceremonies then require user verification.
     */
    biometricPriorConnection: boolean;
  };
  /** Users may sign in with a passkey alone (a discoverable credential, with user verification). */
  passkeySignIn: boolean;
  /** Roles for which only a passkey satisfies MFA (phishing-resistant); empty: none. */
  phishingResistantRoles: Role[];
  /** How long a remembered device skips the second factor; 0 remembers none. */
  rememberDeviceDays: number;
  /** How recent a password or factor check must be for sensitive changes. */
  reauthMaxAgeMinutes: number;
  /** Days before an enrolment deadline when a reminder is e-mailed, largest first; none: no reminders. */
  reminderDays: number[];
}

/** Settings added after the first clients were written: a change without one keeps the value in force. */
type LaterSettings = 'reminderDays' | 'passkeySignIn' | 'phishingResistantRoles';

/** A policy as an admin sends it: what it leaves out of the later settings, the version in force keeps. */
export type MfaPolicyChange = Omit<MfaPolicySettings, LaterSettings | 'connectionPolicy'> & {
  [K in LaterSettings]?: MfaPolicySettings[K] | undefined;
} & {
  connectionPolicy: { totpPriorConnection: boolean; biometricPriorConnection?: boolean | undefined };
};

/** The change as a whole policy: each later setting it leaves out keeps its value in force. */
export function completedPolicy(change: MfaPolicyChange, inForce: MfaPolicySettings): MfaPolicySettings {
  return {
    ...change,
    connectionPolicy: {
      totpPriorConnection: change.connectionPolicy.totpPriorConnection,
      biometricPriorConnection:
        change.connectionPolicy.biometricPriorConnection ?? inForce.connectionPolicy.biometricPriorConnection,
    },
    reminderDays: change.reminderDays ?? inForce.reminderDays,
    passkeySignIn: change.passkeySignIn ?? inForce.passkeySignIn,
    phishingResistantRoles: change.phishingResistantRoles ?? inForce.phishingResistantRoles,
  };
}

/** What a tenant that never saved a policy gets: MFA offered, not required. */
export function defaultPolicy(reauthMaxAgeMinutes: number, reminderDays: readonly number[]): MfaPolicySettings {
  return {
    requireMfa: false,
    requiredRoles: [],
    gracePeriodDays: 14,
    allowedMethods: ['totp', 'email', 'webauthn'],
    enforceOn: ['console', 'client'],
    connectionPolicy: { totpPriorConnection: false, biometricPriorConnection: false },
    passkeySignIn: false,
    phishingResistantRoles: [],
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
