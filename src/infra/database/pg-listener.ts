import pg from 'pg';

export interface PgListenerOptions {
  url: string;
  /** A plain identifier: it is written into `LISTEN` as it is. */
  channel: string;
  onNotification(payload: string): void;
  /**
   * Called each time the listener is back after a lost connection. PostgreSQL keeps no notification for
   * a listener that is away, so whatever was notified meanwhile is for the caller to catch up.
   */
  onListeningAgain(): void;
  onError(error: Error): void;
  /** Between two attempts to reconnect (default 1 s). */
  retryMs?: number;
}

/**
 * A connection of its own that LISTENs on one channel and keeps listening: when PostgreSQL restarts or
 * fails over, it reconnects (an attempt a second until one succeeds) and listens again. It needs a
 * session of its own for as long as it runs: through PgBouncer, only a session-mode pool or a direct
 * connection keeps the LISTEN.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`not a plain channel name: ${options.channel}`);
  }

  /** Connects and listens; fails, and stays stopped, if the first attempt does (the process cannot start). */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true });
    this.client = client;
    client.on('notification', (n) => {
      if (n.channel === this.options.channel && n.payload) this.options.onNotification(n.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the listening connection ended')));
    await client.connect();
    await client.query(`listen ${this.options.channel}`);
  }

  /** Once per connection, whichever of its error, its end or a failed attempt comes first. */
  private lost(client: pg.Client, error: Error): void {
    if (client !== this.client || this.stopped) return;
    this.client = undefined;
    this.options.onError(error);
    void client.end().catch(() => undefined);
    this.retry = setTimeout(() => void this.reconnect(), this.options.retryMs ?? 1000);
    this.retry.unref();
  }

  private async reconnect(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      if (this.client) this.lost(this.client, error as Error);
      return;
    }
    if (!this.stopped) this.options.onListeningAgain();
  }
}
