import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { KickCause } from './socket-kick.js';

export interface MissedKick {
  cause: KickCause;
  reason: string;
  /** Sockets on this token fingerprint are spared (see SocketKick.keep). */
  keep?: string | undefined;
}

/** Longer than any handshake takes: a socket whose check is older than this is closed (see `since`). */
export const HANDSHAKE_LIMIT_MS = 30_000;

/**
 * The kicks this node received lately, by session id. A handshake reads the session from PostgreSQL,
 * then (a few ms later) the socket joins its rooms: a kick committed and broadcast in between finds no
 * socket in the room. The socket looks here when it joins, so no kick can slip between the check and
 * the join. Times are this process's monotonic clock: the kick arrives after its commit, so a check that
 * started after the kick arrived saw the committed state.
 */
@Injectable()
export class RecentKicks {
  private readonly received = new Map<string, { at: number; kick: MissedKick }>();

  note(sessionId: string, cause: KickCause, reason: string, keep?: string): void {
    const at = performance.now();
    this.received.delete(sessionId);
    this.received.set(sessionId, { at, kick: { cause, reason, keep } });
    for (const [id, entry] of this.received) {
      if (at - entry.at <= HANDSHAKE_LIMIT_MS) break;
      this.received.delete(id);
    }
  }

  /** The kick for this session received after `checkedAt`, if any. */
  since(sessionId: string, checkedAt: number): MissedKick | undefined {
    const entry = this.received.get(sessionId);
    return entry && entry.at >= checkedAt ? entry.kick : undefined;
  }
}
