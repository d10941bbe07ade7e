import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import type { TenantPrincipal } from '../common/access/principal.js';
import { ApiProblems, ApiQueryFrom, jsonSchema } from '../http/openapi.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { auditEventsPageSchema } from './dto/audit-events-page.schema.js';
import { listAuditEventsSchema, type ListAuditEventsParams } from './dto/list-audit-events.schema.js';
import { ListAuditEventsQuery } from './queries/list-audit-events.query.js';

/** A tenant's own audit chain, for its admins and for integrations holding `audit:read`. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @RequirePermission('audit:read', { apiKeys: true })
  @ApiQueryFrom(listAuditEventsSchema)
  @ApiOkResponse({ description: 'A page of events in seq order', schema: jsonSchema(auditEventsPageSchema, 'output') })
  @ApiProblems(400, 401, 403)
  list(@CurrentPrincipal() p: TenantPrincipal, @Query(new ZodPipe(listAuditEventsSchema)) q: ListAuditEventsParams) {
    return this.queries.execute(new ListAuditEventsQuery(p.tenantId, q));
  }
}
