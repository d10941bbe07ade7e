import { Get, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { type AuditEventsPage, ListAuditEventsQuery } from '../../audit/index.js';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../../common/access/principal-read.js';
import { MFA_OF_USER } from '../../compliance/index.js';
import { UsersDirectory } from '../../identity/index.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import { PageController } from '../page-controller.js';
import { PageFrames } from '../page-frames.js';
import { PageRenderer } from '../page-renderer.js';
import { actionChoices, entryView, type KnownNames, userIdsIn } from './audit-entries.js';
import { auditPageQueryOf, eventFilterOf, filterFields, pageLinks } from './audit-filters.js';
import { AuditVerification } from './audit-verification.js';

/**
 * The tenant's audit log (`audit:read`, like `GET /v1/admin/audit`, on the same query): filters, seq-cursor
 * pages both ways, each entry in words; and the chain's verification, run when asked for.
 */
@PageController('admin/audit')
export class AuditPages {
  constructor(
    private readonly queries: QueryBus,
    private readonly users: UsersDirectory,
    private readonly verification: AuditVerification,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @RequirePermission('audit:read')
  @ReadsWithPrincipal(MFA_OF_USER)
  async list(@CurrentPrincipal() p: SessionPrincipal, @Query() raw: unknown, @Res() res: Response) {
    const { frame } = await this.frames.forUser(p, 'Audit log', 'admin');
    const { query, error } = auditPageQueryOf(raw);
    const page: AuditEventsPage = error
      ? { events: [], nextCursor: null }
      : await this.queries.execute(new ListAuditEventsQuery(p.tenantId, eventFilterOf(query)));
    const names = await this.namesOf(p.tenantId, page.events.flatMap(userIdsIn));
    this.pages.send(
      res,
      'admin-audit',
      frame,
      {
        adminSection: 'audit',
        error,
        filters: filterFields(query),
        actions: actionChoices(query.action),
        entries: page.events.map((e) => entryView(e, query, names, p.userId)),
        pages: pageLinks(query, page.nextCursor),
      },
      error ? 400 : 200,
    );
  }

  @Get('verification')
  @RequirePermission('audit:read')
  @ReadsWithPrincipal(MFA_OF_USER)
  async verify(@CurrentPrincipal() p: SessionPrincipal, @Res() res: Response) {
    const { frame } = await this.frames.forUser(p, 'Audit log verification', 'admin');
    const result = await this.verification.run(p.tenantId);
    this.pages.send(res, 'admin-audit-verification', frame, { adminSection: 'audit', result });
  }

  /** The e-mail addresses of the users the page names (a handful per page), so entries say who. */
  private async namesOf(tenantId: string, ids: string[]): Promise<KnownNames> {
    const unique = [...new Set(ids)];
    const users = await Promise.all(unique.map((id) => this.users.findUser(tenantId, id)));
    return new Map(users.flatMap((u) => (u ? [[u.id, u.email] as const] : [])));
  }
}
