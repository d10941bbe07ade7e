import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { AuditLog } from '../audit/index.js';
import type { RequestMeta } from '../common/actor.js';
import { LoginFailedEvent, type LoginFailureReason } from './events/login.events.js';

/**
 * A refused sign-in (password or passkey), in the audit log in a transaction of its own (nothing else
 * happened to commit with it), and as the event the login metrics count.
 */
@Injectable()
export class LoginFailures {
  constructor(
    private readonly orm: MikroORM,
    private readonly audit: AuditLog,
    private readonly events: EventBus,
  ) {}

  async record(
    tenantId: string | null,
    userId: string | null,
    reason: LoginFailureReason,
    request: RequestMeta,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.orm.em.fork().transactional((em) =>
      this.audit.append(em, {
        tenantId,
        action: LoginFailedEvent.type,
        outcome: 'failure',
        actor: userId ? { type: 'user', id: userId } : { type: 'anonymous', id: null },
        target: userId ? { type: 'user', id: userId } : null,
        request,
        details: { reason, ...details },
      }),
    );
    this.events.publish(new LoginFailedEvent(tenantId, userId, reason));
  }

  /** A refusal not audited (over a limit, past the first of its window): the metrics only. */
  counted(reason: LoginFailureReason): void {
    this.events.publish(new LoginFailedEvent(null, null, reason));
  }
}
