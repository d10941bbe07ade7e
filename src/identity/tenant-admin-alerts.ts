import { Global, Injectable, Module } from '@nestjs/common';
import { type AuditEvent, AuditModule, SecurityNotices, SinkAlerts } from '../audit/index.js';
import type { Tx } from '../common/cqrs/unit-of-work.js';

/** Mails an audit sink's incident to every admin of its tenant; a platform sink's go to logs and metrics. */
@Injectable()
export class TenantAdminAlerts extends SinkAlerts {
  constructor(private readonly notices: SecurityNotices) {
    super();
  }

  async tellAdmins(tx: Tx, entry: AuditEvent): Promise<void> {
    if (!entry.tenantId) return;
    const admins = await tx.em.execute<{ id: string }[]>(
      `select id from users where tenant_id = ? and 'admin' = any(roles) order by id`,
      [entry.tenantId],
    );
    await this.notices.tell(
      tx,
      entry,
      admins.map((a) => a.id),
    );
  }
}

/** Lends the tenant's admins to the audit slice, below identity, through the port it declares. */
@Global()
@Module({
  imports: [AuditModule],
  providers: [TenantAdminAlerts, { provide: SinkAlerts, useExisting: TenantAdminAlerts }],
  exports: [SinkAlerts],
})
export class SinkAlertsModule {}
