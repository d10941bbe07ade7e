import { EntityRepository, LockMode } from '@mikro-orm/postgresql';
import type { User } from './user.entity.js';
import { normaliseEmail } from './user.entity.js';

/** Every query takes the tenant: another tenant's id finds nothing (invariant 5). */
export class UserRepository extends EntityRepository<User> {
  findInTenant(tenantId: string, id: string): Promise<User | null> {
    return this.findOne({ tenantId, id });
  }

  /** The user, row-locked until the transaction ends, for read-modify-write changes. */
  lockInTenant(tenantId: string, id: string): Promise<User | null> {
    return this.findOne({ tenantId, id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  findByEmail(tenantId: string, email: string): Promise<User | null> {
    return this.findOne({ tenantId, email: normaliseEmail(email) });
  }
}
