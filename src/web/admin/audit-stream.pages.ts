import { Get, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { z } from 'zod';
import {
  AuditSinkViews,
  DeleteAuditSinkCommand,
  SetAuditSinkStateCommand,
  TestAuditSinkCommand,
} from '../../audit/index.js';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../../common/access/principal-read.js';
import { actorOf } from '../../common/access/principal.js';
import type { RequestMeta } from '../../common/actor.js';
import { MFA_OF_USER } from '../../compliance/index.js';
import { ReqMeta } from '../../http/request-meta.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import { PageController } from '../page-controller.js';
import { PageFrames } from '../page-frames.js';
import { PageRenderer } from '../page-renderer.js';
import { sinkView, testResultOf } from './audit-stream-sinks.js';

const sinkId = new ZodPipe(z.uuid());

const DONE: Record<string, string> = {
  added: 'The destination was added. Its delivery starts at once.',
  paused: 'The destination is paused: nothing is sent to it until you resume it; entries wait for it meanwhile.',
  resumed: 'The destination is delivering again, from where it stopped.',
  deleted: 'The destination was removed. Nothing more is sent to it; the audit log itself is unchanged.',
  gone: 'A signing secret is shown only once, and it has been shown. If it was not saved, rotate it to get a new one.',
};

/**
 * Where the tenant's audit log is streamed (`tenant:manage`, like `/v1/admin/audit-streams`), from the same
 * read as the API: each sink's settings without secrets and how its delivery stands, with what an admin
 * does to one (test, pause, resume, delete after a confirmation) by the API's commands. Adding a sink and
 * rotating a secret are AuditSinkFormPages.
 */
@PageController('admin/audit-stream')
export class AuditStreamPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly sinks: AuditSinkViews,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async list(@CurrentPrincipal() p: SessionPrincipal, @Query('done') done: unknown, @Res() res: Response) {
    const notice = typeof done === 'string' ? (DONE[done] ?? null) : null;
    await this.showList(p, res, { notice, tested: null });
  }

  /** The result is the answer itself: a reload sends another test event, which changes nothing. */
  @Post(':sinkId/test')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async test(@CurrentPrincipal() p: SessionPrincipal, @Param('sinkId', sinkId) id: string, @Res() res: Response) {
    const sink = await this.sinks.one(p.tenantId, id);
    const delivery = await this.commands.execute(new TestAuditSinkCommand(p.tenantId, id));
    await this.showList(p, res, { notice: null, tested: testResultOf(sink.name, delivery) });
  }

  @Post(':sinkId/pause')
  @RequirePermission('tenant:manage')
  async pause(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('sinkId', sinkId) id: string,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    await this.commands.execute(new SetAuditSinkStateCommand(p.tenantId, id, 'paused', actorOf(p), meta));
    res.redirect(303, '/admin/audit-stream?done=paused');
  }

  @Post(':sinkId/resume')
  @RequirePermission('tenant:manage')
  async resume(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('sinkId', sinkId) id: string,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    await this.commands.execute(new SetAuditSinkStateCommand(p.tenantId, id, 'active', actorOf(p), meta));
    res.redirect(303, '/admin/audit-stream?done=resumed');
  }

  @Get(':sinkId/delete')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async confirmDelete(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('sinkId', sinkId) id: string,
    @Res() res: Response,
  ) {
    const sink = sinkView(await this.sinks.one(p.tenantId, id));
    const { frame } = await this.frames.forUser(p, 'Remove this destination?', 'admin');
    this.pages.send(res, 'admin-audit-stream-delete', frame, { adminSection: 'audit-stream', sink });
  }

  @Post(':sinkId/delete')
  @RequirePermission('tenant:manage')
  async remove(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('sinkId', sinkId) id: string,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    await this.commands.execute(new DeleteAuditSinkCommand(p.tenantId, id, actorOf(p), meta));
    res.redirect(303, '/admin/audit-stream?done=deleted');
  }

  private async showList(
    p: SessionPrincipal,
    res: Response,
    state: { notice: string | null; tested: ReturnType<typeof testResultOf> | null },
  ) {
    const { frame } = await this.frames.forUser(p, 'Audit stream', 'admin');
    const sinks = (await this.sinks.list(p.tenantId)).map(sinkView);
    this.pages.send(res, 'admin-audit-stream', frame, { adminSection: 'audit-stream', sinks, ...state });
  }
}
