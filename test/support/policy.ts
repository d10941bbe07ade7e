import { PASSWORD, signIn, type TenantFixture } from './builders.js';
import type { HttpClient } from './http.js';

/** The policy a tenant that never saved one has (what `GET /v1/admin/mfa-policy` answers as version 0). */
export const DEFAULT_POLICY = {
  requireMfa: false,
  requiredRoles: [] as string[],
  gracePeriodDays: 14,
  allowedMethods: ['totp', 'email', 'webauthn'],
  enforceOn: ['console', 'client'],
  connectionPolicy: { totpPriorConnection: false, biometricPriorConnection: false },
  passkeySignIn: false,
  phishingResistantRoles: [] as string[],
  rememberDeviceDays: 30,
  reauthMaxAgeMinutes: 10,
  reminderDays: [7, 1],
};

/**
 * Saves the tenant's MFA policy with `changes` applied, as its admin freshly signed in (so re-auth
 * holds), confirmed with the admin's password (enough for an admin with no factor) in case it weakens it.
 */
export async function setMfaPolicy(http: HttpClient, tenant: TenantFixture, changes: Record<string, unknown>) {
  const token = await signIn(http, tenant.slug, tenant.admin.email);
  const current = await http.get('/v1/admin/mfa-policy', token);
  if (current.status !== 200) throw new Error(`policy read failed: ${current.status} ${JSON.stringify(current.body)}`);
  const saved = await http.request('PUT', '/v1/admin/mfa-policy', {
    token,
    body: { ...current.body, ...changes, confirmation: { password: PASSWORD } },
  });
  if (saved.status !== 200) throw new Error(`policy save failed: ${saved.status} ${JSON.stringify(saved.body)}`);
  return saved.body;
}
