import type { Redis } from 'ioredis';
import { withTimeout } from '../common/with-timeout.js';

/** How often an unconfirmed subscription is checked again while its connection is up. */
const RECHECK_MS = 1000;
/** A PING unanswered this long is given up on (the connection may be half dead), and the next one sent. */
const PING_TIMEOUT_MS = 2000;

/**
 * Whether this node's Redis subscriptions are live: a PING answered on the subscriber connection after the
 * (re)subscriptions means they are. ioredis emits `ready` before it re-sends them, so the PING waits a turn
 * of the event loop to go out behind them; a PING lost with a connection that dropped again (a Sentinel
 * failover drops connections more than once) is sent again every second until one is answered.
 */
export class SubscriptionWatch {
  private live = false;
  private pinging = false;
  /** Set when the connection dropped: its return is reported as a recovery (kicks may have been missed). */
  private dropped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sub: Redis,
    private readonly onLive: (recovered: boolean) => void,
  ) {}

  start(): void {
    this.sub.on('close', () => {
      this.live = false;
      this.dropped = true;
    });
    this.sub.on('ready', () => setImmediate(() => this.check()));
    this.timer = setInterval(() => this.check(), RECHECK_MS);
    this.timer.unref();
    this.check();
  }

  isLive(): boolean {
    return this.live;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.live || this.pinging || this.sub.status !== 'ready') return;
    this.pinging = true;
    void withTimeout(this.sub.ping(), PING_TIMEOUT_MS).then((pong) => {
      this.pinging = false;
      if (pong === undefined || this.sub.status !== 'ready' || this.live) return;
      this.live = true;
      const recovered = this.dropped;
      this.dropped = false;
      this.onLive(recovered);
    });
  }
}
