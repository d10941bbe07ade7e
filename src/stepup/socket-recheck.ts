import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { SocketKick } from './socket-kick.js';

const BATCH = 500;

/**
 * The sessions behind a node's sockets, read again from PostgreSQL: the kicks owed to sockets whose
 * session was revoked, expired or flagged for step-up while this node could not hear about it (Redis
 * down, a worker's kick lost with its process). Runs on a timer and whenever Redis comes back.
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
      for (const id of batch) {
        const session = found.get(id);
        if (!session?.isActiveAt(now)) {
          kicks.push({ sessionIds: [id], reason: session?.revokedReason ?? 'expired', cause: 'session_revoked' });
        } else if (session.stepUpRequiredAt) {
          kicks.push({
            sessionIds: [id],
            reason: session.stepUpReason ?? 'step_up_required',
            cause: 'step_up_required',
          });
        }
      }
    }
    return kicks;
  }
}
