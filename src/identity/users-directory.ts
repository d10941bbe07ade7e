import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { userNotFound } from './identity.errors.js';
import { Tenant } from './tenant.entity.js';
import { User } from './user.entity.js';

/** Read access to users and tenants for other slices. */
@Injectable()
export class UsersDirectory {
  constructor(private readonly orm: MikroORM) {}

  /**
   * Inside a transaction, pass its `em`: a read on a connection of its own would wait for a second
   * connection, which the embedded database (one connection) never has.
   */
  findUser(tenantId: string, userId: string, em: EntityManager = this.orm.em.fork()): Promise<User | null> {
    return em.getRepository(User).findInTenant(tenantId, userId);
  }

  /** Which of these ids are users of the tenant (another tenant's are not). */
  async existingIds(
    tenantId: string,
    ids: readonly string[],
    em: EntityManager = this.orm.em.fork(),
  ): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await em.find(User, { tenantId, id: { $in: [...ids] } }, { fields: ['id'] });
    return found.map((u) => u.id);
  }

  /** The user, or the same 404 whether the id is unknown or belongs to another tenant. */
  async requireUser(tenantId: string, userId: string): Promise<User> {
    const user = await this.findUser(tenantId, userId);
    if (!user) throw userNotFound();
    return user;
  }

  findTenantBySlug(slug: string): Promise<Tenant | null> {
    return this.orm.em.fork().findOne(Tenant, { slug });
  }

  findTenant(id: string): Promise<Tenant | null> {
    return this.orm.em.fork().findOne(Tenant, { id });
  }

  /** A user with their tenant (what a mail to them needs: the address and the product's name), or null. */
  async findMember(tenantId: string, userId: string): Promise<{ user: User; tenant: Tenant } | null> {
    const [user, tenant] = await Promise.all([this.findUser(tenantId, userId), this.findTenant(tenantId)]);
    return user && tenant ? { user, tenant } : null;
  }
}
