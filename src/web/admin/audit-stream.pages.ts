import { Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuditSinkViews } from '../../audit/index.js';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../../common/access/principal-read.js';
import { MFA_OF_USER } from '../../compliance/index.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import { PageController } from '../page-controller.js';
import { PageFrames } from '../page-frames.js';
import { PageRenderer } from '../page-renderer.js';
import { sinkView } from './audit-stream-sinks.js';

/**
 * Where the tenant's audit log is streamed (`tenant:manage`, like `/v1/admin/audit-streams`), from the same
 * read as the API: each sink's settings without secrets and how its delivery stands. Read-only: sinks are
 * set up through the API.
 */
@PageController('admin/audit-stream')
export class AuditStreamPages {
  constructor(
    private readonly sinks: AuditSinkViews,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async list(@CurrentPrincipal() p: SessionPrincipal, @Res() res: Response) {
    const { frame } = await this.frames.forUser(p, 'Audit stream', 'admin');
    const sinks = (await this.sinks.list(p.tenantId)).map(sinkView);
    this.pages.send(res, 'admin-audit-stream', frame, { adminSection: 'audit-stream', sinks });
  }
}
