import { Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../common/app-config.js';
import { socketRedisKey } from './socket-redis-key.js';

/** Longest gap between two marks of a node, so that a few missed ones never make it look gone. */
const MAX_MARK_INTERVAL_MS = 5000;

// Scores are Redis's own clock, so that the nodes' clocks never have to agree.
const MARK = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return now`;
const HEARD_FROM = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[1]), '+inf')`;

/**
 * The api nodes that hear kicks, so that a kick knows whom it must hear back from. The socket.io adapter
 * waits for as many answers as its channel has subscribers: a node whose subscription is not back after a
 * Redis failover is not counted, and a kick that missed it would say every node was reached. Each node
 * marks itself here while its subscription is live; a node counts until it leaves on shutdown or stays
 * unmarked for SOCKET_RECHECK_INTERVAL_SECONDS, by when it has checked its sockets against PostgreSQL by
 * itself (it does so without Redis too): nothing it holds outlives a disconnect by more than that.
 */
@Injectable()
export class LiveNodes {
  private readonly logger = new Logger(LiveNodes.name);
  /** This node's name in the set. */
  readonly id = randomUUID();
  private timer?: NodeJS.Timeout;
  private left = false;
  private retryOnReady = false;
  /** Marked at least once: the other nodes know to wait for this one (readiness waits for it). */
  marked = false;

  constructor(
    private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private get key(): string {
    return `${socketRedisKey(this.config)}#nodes`;
  }

  private get lifetimeMs(): number {
    return this.config.env.SOCKET_RECHECK_INTERVAL_SECONDS * 1000;
  }

  /** Marks this node now and from then on, whenever `listening()` says its subscription is live. */
  join(listening: () => boolean): void {
    const every = Math.min(MAX_MARK_INTERVAL_MS, this.lifetimeMs / 3);
    this.timer = setInterval(() => {
      if (listening()) void this.mark();
    }, every);
    this.timer.unref();
  }

  /** Marks this node (called as soon as its subscription is confirmed, then on the timer). */
  async mark(): Promise<void> {
    if (this.left) return;
    // A node cut from Redis marks nothing; the commands must not queue up until it is back. It marks as soon
    // as it is: a subscription confirmed before this connection was ready must not leave the node unmarked
    // until the timer (a kick meanwhile would not wait for it). An extra mark only makes kicks wait longer.
    if (this.redis.status !== 'ready') {
      if (!this.retryOnReady) {
        this.retryOnReady = true;
        this.redis.once('ready', () => {
          this.retryOnReady = false;
          void this.mark();
        });
      }
      return;
    }
    try {
      await this.redis.eval(MARK, 1, this.key, this.id, this.lifetimeMs);
      this.marked = true;
    } catch (error) {
      this.logger.warn(`marking this node: ${(error as Error).message}`);
    }
  }

  /** The other nodes that marked themselves within the lifetime; null when Redis could not say. */
  async others(): Promise<Set<string> | null> {
    try {
      const ids = (await this.redis.eval(HEARD_FROM, 1, this.key, this.lifetimeMs)) as string[];
      return new Set(ids.filter((id) => id !== this.id));
    } catch {
      return null;
    }
  }

  /** Marks go over the same connection as this removal, in order: none sent before it can bring the node back. */
  async leave(): Promise<void> {
    this.left = true;
    clearInterval(this.timer);
    if (this.redis.status === 'ready') await this.redis.zrem(this.key, this.id).catch(() => undefined);
  }
}
