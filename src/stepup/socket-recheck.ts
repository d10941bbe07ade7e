import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { kickOf, type SocketKick } from './socket-kick.js';

const BATCH = 500;

/**
 * The sessions behind a node's sockets, read again from PostgreSQL: the kicks owed to sockets whose
 * session was revoked, expired or flagged for step-up while this node could not hear about it (Redis
 * down, a worker's kick lost with its process). Runs on a timer and whenever Redis comes back. The
 * sessions that may stay connected are marked active: an open app is use of its session, so it does
 * not idle out under a connected user (the absolute expiry still ends it).
 */
@Injectable()
export class SocketRecheck {
  constructor(
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
  ) {}

  async kicksOwed(sessionIds: readonly string[]): Promise<SocketKick[]> {
    const kicks: SocketKick[] = [];
    const now = this.clock.now();
    for (let i = 0; i < sessionIds.length; i += BATCH) {
      const batch = sessionIds.slice(i, i + BATCH);
      const found = new Map((await this.sessions.findByIds(batch)).map((s) => [s.id, s]));
      const connected: string[] = [];
      for (const id of batch) {
        const kick = kickOwed(id, found.get(id), now);
        if (kick) kicks.push(kick);
        else connected.push(id);
      }
      await this.sessions.recordActivity(connected);
    }
    return kicks;
  }
}

function kickOwed(id: string, session: Session | undefined, now: Date): SocketKick | null {
  if (!session?.isActiveAt(now)) {
    return kickOf('session_revoked', [id], session?.revokedReason ?? 'expired');
  }
  if (session.stepUpRequiredAt) {
    return kickOf('step_up_required', [id], session.stepUpReason ?? 'step_up_required');
  }
  return null;
}
