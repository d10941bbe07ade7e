import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../src/common/app-config.js';
import { JobQueues } from '../src/infra/queues/job-queues.js';

/**
 * The retention purge every AUDIT_RETENTION_INTERVAL_MINUTES while AUDIT_RETENTION_DAYS is set; with it 0
 * (keep forever) the schedule a previous configuration left in Redis is removed. Every worker upserts the same.
 */
@Injectable()
export class AuditRetentionSchedule implements OnApplicationBootstrap {
  constructor(
    private readonly queues: JobQueues,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { AUDIT_RETENTION_DAYS: days, AUDIT_RETENTION_INTERVAL_MINUTES: minutes } = this.config.env;
    if (days === 0) await this.queues.unschedule('audit-retention', 'audit-purge');
    else await this.queues.schedule('audit-retention', 'audit-purge', minutes * 60_000, {});
  }
}
