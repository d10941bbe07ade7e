import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../common/app-config.js';
import { clientNetworkOf } from '../common/client-network.js';
import { hashToken } from '../common/crypto/tokens.js';

/** Networks kept per user: enough for home, office, phone and travel; the least recent go first. */
export const KNOWN_NETWORKS_PER_USER = 10;
const DAY_MS = 24 * 60 * 60_000;

/**
 * The client networks (an IPv4 address or an IPv6 /64) each user has signed in from with the right
 * password, in PostgreSQL: a login from one of them passes the account-wide back-off that strangers
 * wait out. In PostgreSQL rather than Redis because it is state about the user, not a counter: it
 * must survive a Redis loss (an attacker who can flush or outlast Redis must not turn the owner into
 * a stranger), go with the user and tenant (cascade), and it is read only while an account is under
 * attack. The network is stored hashed with the user, as a lookup key.
 */
@Injectable()
export class KnownNetworks {
  constructor(private readonly config: AppConfig) {}

  async includes(em: EntityManager, user: { tenantId: string; userId: string }, ip: string, now: Date) {
    const [row] = await em.execute<{ known: boolean }[]>(
      `select true as known from login_known_networks
        where user_id = ? and tenant_id = ? and network_hash = ? and expires_at > ?`,
      [user.userId, user.tenantId, networkHash(user.userId, ip), now],
    );
    return row !== undefined;
  }

  /**
   * Records a sign-in from the network. A network new to the user makes room: only the newest
   * KNOWN_NETWORKS_PER_USER - 1 unexpired others stay. One statement (a sign-in's last round trip): the
   * DELETE sees the rows as they were before the upsert, so it never sees, nor removes, the new one.
   */
  async remember(em: EntityManager, user: { tenantId: string; userId: string }, ip: string, now: Date) {
    const days = this.config.env.LOGIN_KNOWN_NETWORK_DAYS;
    if (days === 0) return;
    const expiresAt = new Date(now.getTime() + days * DAY_MS);
    await em.execute(
      `with remembered as (
         insert into login_known_networks (user_id, network_hash, tenant_id, last_success_at, expires_at)
         values (?, ?, ?, ?, ?)
         on conflict (user_id, network_hash) do update
           set last_success_at = excluded.last_success_at, expires_at = excluded.expires_at
         returning (xmax = 0) as inserted
       )
       delete from login_known_networks
        where user_id = ? and (select inserted from remembered) and network_hash not in (
          select network_hash from login_known_networks where user_id = ? and expires_at > ?
           order by last_success_at desc limit ?)`,
      [
        user.userId,
        networkHash(user.userId, ip),
        user.tenantId,
        now,
        expiresAt,
        user.userId,
        user.userId,
        now,
        KNOWN_NETWORKS_PER_USER - 1,
      ],
    );
  }
}

const networkHash = (userId: string, ip: string) => hashToken(`${userId}\n${clientNetworkOf(ip)}`);
