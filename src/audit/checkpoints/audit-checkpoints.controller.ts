import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import type { TenantPrincipal } from '../../common/access/principal.js';
import { ApiProblems, ApiQueryFrom, jsonSchema } from '../../http/openapi.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import {
  auditCheckpointsPageSchema,
  listAuditCheckpointsSchema,
  type ListAuditCheckpointsParams,
} from './dto/audit-checkpoints.schema.js';
import { ListAuditCheckpointsQuery } from './queries/list-audit-checkpoints.query.js';

/** The signed checkpoints of a tenant's own chain, for its admins and for integrations holding `audit:read`. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-checkpoints')
export class AuditCheckpointsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @RequirePermission('audit:read', { apiKeys: true })
  @ApiQueryFrom(listAuditCheckpointsSchema)
  @ApiOkResponse({
    description: 'A page of signed checkpoints in number order; verify them with /.well-known/stepguard-audit-keys',
    schema: jsonSchema(auditCheckpointsPageSchema, 'output'),
  })
  @ApiProblems(400, 401, 403)
  list(
    @CurrentPrincipal() p: TenantPrincipal,
    @Query(new ZodPipe(listAuditCheckpointsSchema)) q: ListAuditCheckpointsParams,
  ) {
    return this.queries.execute(new ListAuditCheckpointsQuery(p.tenantId, q.after, q.limit));
  }
}
