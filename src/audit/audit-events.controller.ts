import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import type { TenantPrincipal } from '../common/access/principal.js';
import { ApiProblems, ApiQueryFrom, jsonSchema } from '../http/openapi.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { AuditEvent } from './audit-event.entity.js';
import { auditEventsPageSchema } from './dto/audit-events-page.schema.js';
import { pullAuditEventsSchema, type PullAuditEventsParams } from './dto/pull-audit-events.schema.js';
import { renderJson } from './formats/index.js';
import { auditEventsWhere, toAuditEventView } from './queries/list-audit-events.handler.js';
import type { AuditEventFilter } from './queries/list-audit-events.query.js';

const PAGE = 100;
const EXPORT_BATCH = 1000;
const NDJSON = 'application/x-ndjson';

/**
 * The pull side of the audit stream, for a SIEM that polls: pages in seq order with a `Link: rel="next"`
 * cursor that never re-reads or skips, the same filters as the admin list and more, and the whole range as
 * NDJSON (streamed in keyset batches, so memory stays flat however large) for exports.
 */
@ApiTags('audit stream')
@ApiBearerAuth()
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(private readonly orm: MikroORM) {}

  @Get()
  @RequirePermission('audit:read', { apiKeys: true })
  @ApiQueryFrom(pullAuditEventsSchema)
  @ApiProduces('application/json', NDJSON)
  @ApiOkResponse({ description: 'A page of events in seq order', schema: jsonSchema(auditEventsPageSchema, 'output') })
  @ApiProblems(400, 401, 403)
  async pull(
    @CurrentPrincipal() p: TenantPrincipal,
    @Query(new ZodPipe(pullAuditEventsSchema)) q: PullAuditEventsParams,
    @Headers('accept') accept: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const filter = filterOf(q);
    if (accept?.split(',').some((type) => type.trim().startsWith(NDJSON))) {
      await this.export(p.tenantId, filter, q, res);
      return;
    }
    const limit = q.limit ?? PAGE;
    const rows = await this.read(p.tenantId, { ...filter, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? Number(page.at(-1)!.seq) : null;
    if (nextCursor !== null) res.setHeader('Link', `<${nextLink(q, nextCursor)}>; rel="next"`);
    res.json({
      events: page.map((e) => renderJson(q.format, { kind: 'event', event: toAuditEventView(e) })),
      nextCursor,
    });
  }

  private async export(
    tenantId: string,
    filter: Omit<AuditEventFilter, 'limit'>,
    q: PullAuditEventsParams,
    res: Response,
  ) {
    res.status(200).setHeader('Content-Type', `${NDJSON}; charset=utf-8`);
    let after = filter.after;
    let left = q.limit ?? Number.POSITIVE_INFINITY;
    while (left > 0) {
      const rows = await this.read(tenantId, { ...filter, after, limit: Math.min(EXPORT_BATCH, left) });
      if (rows.length === 0) break;
      const lines = rows.map(
        (e) => `${JSON.stringify(renderJson(q.format, { kind: 'event', event: toAuditEventView(e) }))}\n`,
      );
      // Backpressure: a slow client holds the export, not the server's memory.
      if (!res.write(lines.join(''))) await new Promise((resolve) => res.once('drain', resolve));
      after = Number(rows.at(-1)!.seq);
      left -= rows.length;
      if (rows.length < EXPORT_BATCH) break;
    }
    res.end();
  }

  private async read(tenantId: string, filter: AuditEventFilter): Promise<AuditEvent[]> {
    const em = this.orm.em.fork();
    const rows = await em.find(AuditEvent, auditEventsWhere(tenantId, filter), {
      orderBy: { seq: 'asc' },
      limit: filter.limit,
    });
    em.clear();
    return rows;
  }
}

function filterOf(q: PullAuditEventsParams): Omit<AuditEventFilter, 'limit'> {
  return {
    after: q.after,
    action: q.type ?? q.action,
    actorId: q.actorId,
    actorType: q.actorType,
    targetType: q.targetType,
    targetId: q.targetId,
    from: q.from,
    to: q.to,
  };
}

/** The next page's URL: the same query with `after` moved (relative, so it holds behind any proxy). */
function nextLink(q: PullAuditEventsParams, after: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...q, after })) {
    if (value === undefined) continue;
    params.set(key, value instanceof Date ? value.toISOString() : String(value));
  }
  return `/v1/audit-events?${params.toString()}`;
}
