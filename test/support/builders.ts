import { randomBytes } from 'node:crypto';
import type { HttpClient } from './http.js';
import { OPERATOR_TOKEN } from './test-env.js';

export const PASSWORD = 'correct horse battery staple';

export interface TenantFixture {
  id: string;
  slug: string;
  admin: { id: string; email: string; password: string; token: string };
}

/** A tenant with a signed-in admin, made through the public API. */
export async function aTenant(http: HttpClient, slug = `t-${randomBytes(4).toString('hex')}`): Promise<TenantFixture> {
  const email = `admin@${slug}.example`;
  const created = await http.post(
    '/v1/tenants',
    { slug, name: `Tenant ${slug}`, admin: { email, password: PASSWORD } },
    OPERATOR_TOKEN,
  );
  if (created.status !== 201)
    throw new Error(`tenant create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const token = await signIn(http, slug, email);
  return { id: created.body.tenant.id, slug, admin: { id: created.body.admin.id, email, password: PASSWORD, token } };
}

/** A user of the tenant (created by its admin) and, unless told otherwise, a session for them. */
export async function aUser(
  http: HttpClient,
  tenant: TenantFixture,
  roles: string[] = ['member'],
  email = `${roles[0]}-${randomBytes(3).toString('hex')}@${tenant.slug}.example`,
) {
  const created = await http.post('/v1/admin/users', { email, roles, password: PASSWORD }, tenant.admin.token);
  if (created.status !== 201) throw new Error(`user create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const token = await signIn(http, tenant.slug, email);
  return { id: created.body.id as string, email, password: PASSWORD, token };
}

export async function signIn(
  http: HttpClient,
  tenant: string,
  email: string,
  password = PASSWORD,
  headers: Record<string, string> = {},
) {
  const res = await http.request('POST', '/v1/auth/login', { body: { tenant, email, password }, headers });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}
