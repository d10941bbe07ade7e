import type { Tx } from '../../common/cqrs/unit-of-work.js';
import type { AuditEvent } from '../audit-event.entity.js';

/**
 * Tells a tenant's admins that one of its sinks stopped or parked, by e-mail, in the transaction that
 * recorded it. Who the admins are is identity's to know, a slice above this one: identity provides this
 * port (`SinkAlertsModule`), so the audit slice never imports it.
 */
export abstract class SinkAlerts {
  abstract tellAdmins(tx: Tx, entry: AuditEvent): Promise<void>;
}
