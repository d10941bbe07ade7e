import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { OperatorOnly, RequirePermission } from '../../common/access/access.decorators.js';
import type { Principal } from '../../common/access/principal.js';
import { AuditSinkViews } from './audit-sink-views.js';
import { AuditStreamsRoutes } from './audit-streams.routes.js';

/** A tenant's sinks: its admins (`tenant:manage`), and integrations holding an API key with `audit:stream`. */
@ApiTags('audit stream')
@ApiBearerAuth()
@Controller('v1/admin/audit-streams')
@RequirePermission('tenant:manage', { apiKeyScope: 'audit:stream' })
export class TenantAuditStreamsController extends AuditStreamsRoutes {
  constructor(commands: CommandBus, views: AuditSinkViews) {
    super(commands, views);
  }

  protected ownerOf(p: Principal): string {
    if (p.kind === 'operator') throw new Error('the operator manages platform sinks under /v1/operator');
    return p.tenantId;
  }
}

/** The platform's sinks, which receive every tenant's chain and the platform chain: the operator token only. */
@ApiTags('audit stream')
@ApiBearerAuth('operator')
@Controller('v1/operator/audit-streams')
@OperatorOnly()
export class PlatformAuditStreamsController extends AuditStreamsRoutes {
  constructor(commands: CommandBus, views: AuditSinkViews) {
    super(commands, views);
  }

  protected ownerOf(): null {
    return null;
  }
}
