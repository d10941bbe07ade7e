import { signIn, type TenantFixture } from './builders.js';
import type { HttpClient } from './http.js';

/** Saves the tenant's MFA policy with `changes` applied, as its admin freshly signed in (so re-auth holds). */
export async function setMfaPolicy(http: HttpClient, tenant: TenantFixture, changes: Record<string, unknown>) {
  const token = await signIn(http, tenant.slug, tenant.admin.email);
  const current = await http.get('/v1/admin/mfa-policy', token);
  if (current.status !== 200) throw new Error(`policy read failed: ${current.status} ${JSON.stringify(current.body)}`);
  const saved = await http.request('PUT', '/v1/admin/mfa-policy', { token, body: { ...current.body, ...changes } });
  if (saved.status !== 200) throw new Error(`policy save failed: ${saved.status} ${JSON.stringify(saved.body)}`);
  return saved.body;
}
