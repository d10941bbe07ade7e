import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { TenantScope } from '../common/tenant-scope.js';
import { Tenant, User } from '../identity/index.js';
import { RememberedDevices } from '../sessions/index.js';
import { KnownNetworks } from './known-networks.js';

export interface LoginClient {
  tenant: string;
  email: string;
  ip: string | null;
  deviceToken?: string | undefined;
}

/**
 * Whether a login comes from a client the account's owner is known to use: a network they signed in
 * from with the right password, or one of their unexpired remembered devices (its token is a secret
 * only their browser or app holds). Such a login skips the account-wide back-off, never the password.
 */
@Injectable()
export class FamiliarClients {
  constructor(
    private readonly orm: MikroORM,
    private readonly networks: KnownNetworks,
    private readonly devices: RememberedDevices,
  ) {}

  async recognise(client: LoginClient, now: Date): Promise<boolean> {
    const em = this.orm.em.fork();
    const tenant = await em.findOne(Tenant, { slug: client.tenant.toLowerCase() });
    return tenant ? TenantScope.run(tenant.id, () => this.recogniseIn(em, tenant, client, now)) : false;
  }

  private async recogniseIn(em: EntityManager, tenant: Tenant, client: LoginClient, now: Date): Promise<boolean> {
    const user = await em.getRepository(User).findByEmail(tenant.id, client.email);
    if (!user) return false;
    const owner = { tenantId: user.tenantId, userId: user.id };
    if (client.ip && (await this.networks.includes(em, owner, client.ip, now))) return true;
    if (!client.deviceToken) return false;
    return this.devices.isUnexpired(em, owner, client.deviceToken, now);
  }

  /** After the right password: the network becomes (or stays) known to this user. */
  async remember(owner: { tenantId: string; userId: string }, ip: string | null, now: Date): Promise<void> {
    if (ip) await this.networks.remember(this.orm.em.fork(), owner, ip, now);
  }
}
