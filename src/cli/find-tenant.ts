import type { INestApplicationContext } from '@nestjs/common';
import { notFound } from '../common/errors/domain-error.js';
import { type Tenant, UsersDirectory } from '../identity/index.js';

/** The tenant a `--tenant <slug>` flag names, or a not_found DomainError. */
export async function tenantBySlug(app: INestApplicationContext, slug: string): Promise<Tenant> {
  const tenant = await app.get(UsersDirectory).findTenantBySlug(slug);
  if (!tenant) throw notFound(`Tenant "${slug}"`);
  return tenant;
}
