import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { Redis } from 'ioredis';
import { AuditLog } from '../audit/index.js';
import type { Actor, RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { FirstOfWindow } from '../common/first-of-window.js';
import { sha256Hex } from '../common/crypto/tokens.js';
import { type AccessDenial, AccessDeniedEvent } from './events/access-denied.event.js';

export interface AccessRefusal {
  tenantId: string | null;
  actor: Actor;
  reason: AccessDenial;
  /** Who is refused, for the rate limit: a session or key id, or the client network of an anonymous caller. */
  caller: string;
  /** What was asked for (`GET /v1/admin/users`, `socket`). */
  resource: string;
  request: RequestMeta;
  details?: Record<string, unknown>;
}

/**
 * Puts refused access on the record without letting anyone flood it: every refusal is counted in the
 * metrics, and the first of each window per caller, reason and resource gets an audit entry (on the
 * tenant's chain, or the platform's for a caller of no tenant). Best effort: a refusal still refuses
 * when the database cannot take its record.
 */
@Injectable()
export class AccessRefusals {
  private readonly logger = new Logger('AccessRefusals');
  private readonly windows: FirstOfWindow;

  constructor(
    redis: Redis,
    private readonly config: AppConfig,
    private readonly orm: MikroORM,
    private readonly audit: AuditLog,
    private readonly eventBus: EventBus,
  ) {
    this.windows = new FirstOfWindow(redis);
  }

  /** A refusal for the metrics only. */
  counted(tenantId: string | null, reason: AccessDenial): void {
    this.eventBus.publish(new AccessDeniedEvent(tenantId, reason));
  }

  async record(refusal: AccessRefusal): Promise<void> {
    this.counted(refusal.tenantId, refusal.reason);
    try {
      const { REDIS_KEY_PREFIX: prefix, LOGIN_RATE_WINDOW_SECONDS: windowSeconds } = this.config.env;
      const id = sha256Hex(`${refusal.caller}\n${refusal.reason}\n${refusal.resource}`);
      // Without Redis every refusal is audited: better too many entries than none.
      const first = await this.windows.opens([
        { key: `${prefix}:audit-window:access:${id}`, ms: windowSeconds * 1000 },
      ]);
      if (first === false) return;
      await this.orm.em.fork().transactional((em) =>
        this.audit.append(em, {
          tenantId: refusal.tenantId,
          action: AccessDeniedEvent.type,
          outcome: 'failure',
          actor: refusal.actor,
          target: null,
          request: refusal.request,
          details: { reason: refusal.reason, resource: refusal.resource, ...refusal.details },
        }),
      );
    } catch (error) {
      this.logger.warn(`refusal not recorded (${refusal.reason}): ${(error as Error).message}`);
    }
  }
}
