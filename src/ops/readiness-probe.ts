import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Optional } from '@nestjs/common';
import { Redis } from 'ioredis';
import { SocketGateway } from '../live/index.js';
import { withTimeout } from '../common/with-timeout.js';

export type DependencyState = 'up' | 'down';

export interface Readiness {
  database: DependencyState;
  redis: DependencyState;
  /** On a process serving sockets: its Redis subscription, through which the other nodes' kicks reach it. */
  sockets?: DependencyState;
}

/** Short enough that a load balancer's probe (typically 1–5 s) gets an answer, never a timeout. */
const DATABASE_TIMEOUT_MS = 2000;
const REDIS_TIMEOUT_MS = 1000;

/**
 * Whether this process can serve: PostgreSQL answers as a primary (one that takes writes) and Redis answers
 * PING. A standby answers reads, but every write fails on it: after a failover, until the address the
 * process uses leads to the new primary, it is not ready. An api node is not ready either until its socket
 * subscription is back: a socket connected to it meanwhile could not be closed from another node.
 */
@Injectable()
export class ReadinessProbe {
  constructor(
    private readonly orm: MikroORM,
    private readonly redis: Redis,
    @Optional() private readonly gateway?: SocketGateway,
  ) {}

  async check(): Promise<Readiness> {
    const [database, redis] = await Promise.all([this.database(), this.redisState()]);
    const listening = this.gateway?.listening;
    return listening ? { database, redis, sockets: listening() ? 'up' : 'down' } : { database, redis };
  }

  private async database(): Promise<DependencyState> {
    // A query rather than `orm.checkConnection()`, which reports "down" until the pool has been used.
    const rows = await withTimeout(
      this.orm.driver
        .getConnection()
        .execute<{ ok: number }[]>('select case when pg_is_in_recovery() then 0 else 1 end as ok'),
      DATABASE_TIMEOUT_MS,
    );
    return rows?.[0]?.ok === 1 ? 'up' : 'down';
  }

  private async redisState(): Promise<DependencyState> {
    // While disconnected, ioredis queues commands until it reconnects (BullMQ needs that): asking it to
    // PING then would only pile commands up, so a connection that is not ready is simply down.
    if (this.redis.status !== 'ready') return 'down';
    const pong = await withTimeout(this.redis.ping(), REDIS_TIMEOUT_MS);
    return pong === 'PONG' ? 'up' : 'down';
  }
}
