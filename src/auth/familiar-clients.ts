import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { hashToken } from '../common/crypto/tokens.js';
import { TenantScope } from '../common/tenant-scope.js';
import { Tenant, User } from '../identity/index.js';
import { DEVICE_TOKEN_PREFIX, RememberedDevice } from '../sessions/index.js';
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
    if (!client.deviceToken?.startsWith(DEVICE_TOKEN_PREFIX)) return false;
    const devices = await em.count(RememberedDevice, {
      ...owner,
      tokenHash: hashToken(client.deviceToken),
      expiresAt: { $gt: now },
    });
    return devices > 0;
  }

  /** After the right password: the network becomes (or stays) known to this user. */
  async remember(owner: { tenantId: string; userId: string }, ip: string | null, now: Date): Promise<void> {
    if (ip) await this.networks.remember(this.orm.em.fork(), owner, ip, now);
  }
}
