import { raw } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { Clock } from '../common/clock.js';
import { TenantScope } from '../common/tenant-scope.js';
import { Session } from '../sessions/index.js';
import { withTimeout } from '../common/with-timeout.js';

const COUNT_TIMEOUT_MS = 5000;

/**
 * `stepguard_active_sessions`: sessions usable right now (not revoked, before both their absolute and
 * idle expiry), counted by the injected clock when Prometheus scrapes. If the count fails the gauge
 * keeps its last value, so a database hiccup does not fail the whole scrape.
 */
@Injectable()
export class ActiveSessionsGauge {
  private readonly logger = new Logger('Metrics');

  constructor(
    registry: Registry,
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {
    const gauge: Gauge = new Gauge({
      name: 'stepguard_active_sessions',
      help: 'Sessions that are neither revoked nor expired',
      registers: [registry],
      collect: async () => {
        const count = await withTimeout(this.count(), COUNT_TIMEOUT_MS);
        if (count === undefined) this.logger.warn('could not count active sessions for /metrics');
        else gauge.set(count);
      },
    });
  }

  private count(): Promise<number> {
    const now = this.clock.now();
    return TenantScope.acrossTenants("the platform's metrics count every tenant's sessions", () =>
      this.orm.em.fork().count(Session, {
        revokedAt: null,
        expiresAt: { $gt: now },
        [raw('last_active_at + make_interval(secs => idle_timeout_seconds)')]: { $gt: now },
      }),
    );
  }
}
