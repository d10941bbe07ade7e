import { Injectable } from '@nestjs/common';
import { AuditLog, SecurityNotices } from '../../audit/index.js';
import type { RequestMeta } from '../../common/actor.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import type { Factor } from '../factor.entity.js';
import { RefusalAuditGate } from '../verification/refusal-audit-gate.js';
import { PasskeyCloneSuspectedEvent } from './passkey-clone.events.js';

/**
 * Records a suspected passkey clone (a counter rollback) in a transaction of its own, with an e-mail to
 * the owner, whatever happens to the refused request. Whoever holds a clone can repeat it at will, so
 * only the first of a window per passkey is recorded (RefusalAuditGate), like other refusals.
 */
@Injectable()
export class PasskeyCloneAlarm {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly notices: SecurityNotices,
    private readonly gate: RefusalAuditGate,
  ) {}

  async raise(factor: Factor, counters: { stored: number; received: number }, request: RequestMeta): Promise<void> {
    if (!(await this.gate.firstInWindow(factor.userId, `passkey-clone:${factor.id}`))) return;
    const { tenantId, userId } = factor;
    await this.uow.run(async (tx) => {
      const entry = await this.audit.append(tx.em, {
        tenantId,
        action: PasskeyCloneSuspectedEvent.type,
        outcome: 'failure',
        actor: { type: 'user', id: userId },
        target: { type: 'factor', id: factor.id },
        request,
        details: {
          factorType: 'webauthn',
          label: factor.label,
          storedCounter: counters.stored,
          receivedCounter: counters.received,
        },
      });
      tx.publish(new PasskeyCloneSuspectedEvent(tenantId, userId, factor.id));
      await this.notices.tell(tx, entry, userId);
    });
  }
}
