import type { AdminUserMfaView } from '../../compliance/index.js';

/** A user's standing under the policy in force, in words. */
export const STANDING_NAMES: Record<AdminUserMfaView['mfa']['status'], string> = {
  exempt: 'Not required',
  compliant: 'Required, set up',
  grace: 'In grace period',
  overdue: 'Overdue',
};

export const FACTOR_TYPE_NAMES: Record<string, string> = {
  totp: 'Authenticator app',
  email: 'E-mail codes',
  webauthn: 'Passkey',
};

const ROLE_NAMES: Record<string, string> = { admin: 'Administrator', manager: 'Manager', member: 'Member' };

/** The list's filter choices (`?mfa=`, as the API's), in words; the empty one lists everyone. */
export const FILTER_NAMES: Record<string, string> = {
  '': 'Everyone',
  enrolled: 'Enrolled',
  not_enrolled: 'Not enrolled',
  grace: 'In grace period',
  overdue: 'Overdue',
};

/** A user as a page shows them. */
export function userRow(u: AdminUserMfaView) {
  return {
    id: u.id,
    email: u.email,
    roles: u.roles.map((r) => ROLE_NAMES[r] ?? r).join(', '),
    createdAt: u.createdAt,
    enrolled: u.mfa.enrolled,
    methods: u.mfa.factorTypes.map((t) => FACTOR_TYPE_NAMES[t] ?? t).join(', '),
    standing: STANDING_NAMES[u.mfa.status],
    overdue: u.mfa.status === 'overdue',
    deadline: u.mfa.deadline,
  };
}
