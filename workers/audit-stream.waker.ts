import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { StreamWake } from '../src/audit/index.js';
import { AppConfig } from '../src/common/app-config.js';
import { Clock } from '../src/common/clock.js';
import { PgListener } from '../src/infra/database/pg-listener.js';

const CHANNEL = 'stepguard_audit_appended';

/**
 * Wakes deliveries: at once when a transaction that appended to a watched chain commits (PostgreSQL
 * NOTIFY, sent by `audit_append`), and on a tick for what a lost notification, a restart or a retry's
 * due time left behind (and for new chains of platform sinks). The listener reconnects after PostgreSQL
 * restarts or fails over and ticks at once when it is back. The embedded database serves one session,
 * so there the tick alone does it.
 */
@Injectable()
export class AuditStreamWaker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditStream');
  private listener: PgListener | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;

  constructor(
    private readonly wake: StreamWake,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.env.DATABASE_URL !== undefined) await this.listen();
    const everyMs = this.config.env.AUDIT_STREAM_TICK_SECONDS * 1000;
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.listener?.stop();
  }

  private async listen(): Promise<void> {
    // Until it is back, the tick keeps deliveries going.
    this.listener = new PgListener({
      url: this.config.databaseUrl,
      channel: CHANNEL,
      onNotification: (chainKey) => void this.wake.chain(chainKey).catch((e: Error) => this.failed('wake', e)),
      onListeningAgain: () => {
        this.logger.log('audit stream: listening for appended events again');
        void this.tick();
      },
      onError: (error) => this.failed('listen', error),
    });
    await this.listener.start();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await this.wake.openNewChains();
      await this.wake.due(this.clock.now());
    } catch (error) {
      this.failed('tick', error as Error);
    } finally {
      this.ticking = false;
    }
  }

  private failed(what: string, error: Error): void {
    this.logger.warn(`audit stream ${what}: ${error.message}`);
  }
}
