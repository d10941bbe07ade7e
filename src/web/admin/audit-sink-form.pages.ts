import { Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  AuditSinkViews,
  CreateAuditSinkCommand,
  RotateAuditSinkSecretCommand,
  rotateSecretSchema,
  SINK_KINDS,
} from '../../audit/index.js';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../../common/access/principal-read.js';
import { actorOf } from '../../common/access/principal.js';
import type { RequestMeta } from '../../common/actor.js';
import { MFA_OF_USER } from '../../compliance/index.js';
import { ReqMeta } from '../../http/request-meta.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import { formFailure, PageController } from '../page-controller.js';
import { PageFrames } from '../page-frames.js';
import { PageRenderer } from '../page-renderer.js';
import { KIND_NAMES } from './audit-stream-sinks.js';
import { blankSinkForm, kindOf, readSinkForm, refusedByCommand, type SinkFormView } from './sink-form.js';
import { NewSinkSecretReveal, SINK_SECRET_PAGE } from './sink-secret-reveal.js';

const sinkId = new ZodPipe(z.uuid());

const KIND_WORDS: Record<(typeof SINK_KINDS)[number], string> = {
  webhook: 'An HTTPS POST to your endpoint, signed per Standard Webhooks with a secret shown to you once.',
  splunk_hec: 'Straight into Splunk through its HTTP Event Collector, with a HEC token.',
  syslog: 'RFC 5424 lines over TLS to rsyslog, syslog-ng or a SIEM’s collector, with optional mutual TLS.',
};

const OVERLAP_HELP = 'The overlap must be a whole number of hours from 0 to 720.';

/**
 * Adding a sink (the kind first, then its form, checked by the API's schema and saved by the API's command)
 * and rotating a webhook's signing secret; a new secret is shown once, on `/admin/audit-stream/secret`.
 */
@PageController('admin/audit-stream')
export class AuditSinkFormPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly sinks: AuditSinkViews,
    private readonly reveal: NewSinkSecretReveal,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get('new')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async newSink(@CurrentPrincipal() p: SessionPrincipal, @Query('kind') kind: unknown, @Res() res: Response) {
    const chosen = kindOf(kind);
    if (chosen) return this.showForm(p, res, blankSinkForm(chosen), null);
    const { frame } = await this.frames.forUser(p, 'Add a destination', 'admin');
    const kinds = SINK_KINDS.map((id) => ({ id, name: KIND_NAMES[id], words: KIND_WORDS[id] }));
    this.pages.send(res, 'admin-audit-stream-kind', frame, { adminSection: 'audit-stream', kinds });
  }

  @Post('new')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async create(
    @CurrentPrincipal() p: SessionPrincipal,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const kind = kindOf(body['kind']);
    if (!kind) return res.redirect(303, '/admin/audit-stream/new');
    const form = readSinkForm(kind, body);
    if (!form.ok) return this.showForm(p, res, form.view, form.problems.join(' '), 400);
    let created;
    try {
      created = await this.commands.execute(new CreateAuditSinkCommand(p.tenantId, form.input, actorOf(p), meta));
    } catch (error) {
      const refused = refusedByCommand(error, form.view);
      if (refused) return this.showForm(p, res, refused.view, refused.problems.join(' '), 400);
      throw error;
    }
    const { sink, secret } = created;
    if (secret === null) return res.redirect(303, '/admin/audit-stream?done=added');
    this.reveal.keep(res, p.session.id, { name: sink.name, secret, rotated: false, overlapHours: 0 });
    res.redirect(303, SINK_SECRET_PAGE);
  }

  @Get('secret')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async secret(@CurrentPrincipal() p: SessionPrincipal, @Req() req: Request, @Res() res: Response) {
    const shown = this.reveal.take(req, res, p.session.id);
    if (!shown) return res.redirect(303, '/admin/audit-stream?done=gone');
    const { frame } = await this.frames.forUser(p, 'The signing secret', 'admin');
    this.pages.send(res, 'admin-audit-stream-secret', frame, { adminSection: 'audit-stream', shown });
  }

  @Get(':sinkId/rotate')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async confirmRotate(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('sinkId', sinkId) id: string,
    @Res() res: Response,
  ) {
    await this.showRotate(p, res, id, '24', null);
  }

  @Post(':sinkId/rotate')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async rotate(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('sinkId', sinkId) id: string,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    const typed = String((req.body as Record<string, unknown> | undefined)?.['overlapHours'] ?? '').trim();
    const input = rotateSecretSchema.safeParse({ overlapHours: /^\d{1,6}$/.test(typed) ? Number(typed) : Number.NaN });
    if (!input.success) return this.showRotate(p, res, id, typed.slice(0, 10), OVERLAP_HELP, 400);
    const { overlapHours } = input.data;
    let rotated;
    try {
      rotated = await this.commands.execute(
        new RotateAuditSinkSecretCommand(p.tenantId, id, overlapHours, actorOf(p), meta),
      );
    } catch (error) {
      const failure = formFailure(error, ['conflict']);
      return this.showRotate(p, res, id, String(overlapHours), failure.message, failure.status);
    }
    const { sink, secret } = rotated;
    this.reveal.keep(res, p.session.id, { name: sink.name, secret: secret!, rotated: true, overlapHours });
    res.redirect(303, SINK_SECRET_PAGE);
  }

  private async showForm(p: SessionPrincipal, res: Response, form: SinkFormView, error: string | null, status = 200) {
    const { frame } = await this.frames.forUser(p, `Add a destination: ${form.kindName}`, 'admin');
    this.pages.send(res, 'admin-audit-stream-new', frame, { adminSection: 'audit-stream', form, error }, status);
  }

  private async showRotate(
    p: SessionPrincipal,
    res: Response,
    id: string,
    overlapHours: string,
    error: string | null,
    status = 200,
  ) {
    const sink = await this.sinks.one(p.tenantId, id);
    const { frame } = await this.frames.forUser(p, 'Rotate the signing secret', 'admin');
    this.pages.send(
      res,
      'admin-audit-stream-rotate',
      frame,
      { adminSection: 'audit-stream', sink: { id: sink.id, name: sink.name }, overlapHours, error },
      status,
    );
  }
}
