import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import { actorOf } from '../common/access/principal.js';
import type { SessionPrincipal } from '../sessions/index.js';
import type { RequestMeta } from '../common/actor.js';
import { notFound } from '../common/errors/domain-error.js';
import { ApiJsonBody, ApiProblems, ApiQueryFrom } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { ChangeMfaPolicyCommand } from './commands/change-mfa-policy.command.js';
import {
  type MfaPolicyInput,
  mfaPolicySchema,
  type MfaPolicyChange,
  MfaPolicyStore,
  policyHistoryQuerySchema,
  policyVersionSchema,
  type StoredMfaPolicy,
} from '../policy/index.js';

const policyView = (p: StoredMfaPolicy) => ({
  ...p.settings,
  version: p.version,
  updatedAt: p.updatedAt?.toISOString() ?? null,
  updatedBy: p.updatedBy,
});

/** The tenant's MFA policy: read it, save a new version, and read every earlier one. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/mfa-policy')
export class MfaPolicyController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: MfaPolicyStore,
  ) {}

  @Get()
  @RequirePermission('tenant:manage')
  @ApiProblems(401, 403)
  async current(@CurrentPrincipal() p: SessionPrincipal) {
    return policyView(await this.store.current(p.tenantId));
  }

  /** Saves the whole policy as the next version; needs a recent re-auth. */
  @Put()
  @RequirePermission('tenant:manage')
  @ApiJsonBody(mfaPolicySchema)
  @ApiProblems(400, 401, 403, 409)
  async change(
    @CurrentPrincipal() p: SessionPrincipal,
    @Body(new ZodPipe(mfaPolicySchema)) body: MfaPolicyInput,
    @ReqMeta() meta: RequestMeta,
  ) {
    const editor = { userId: p.userId, roles: p.roles, session: p.session };
    const command = new ChangeMfaPolicyCommand(p.tenantId, settingsOf(body), editor, actorOf(p), meta, {
      expectedVersion: body.version,
      confirmation: body.confirmation,
    });
    return policyView(await this.commands.execute(command));
  }

  @Get('versions')
  @RequirePermission('tenant:manage')
  @ApiQueryFrom(policyHistoryQuerySchema)
  @ApiProblems(400, 401, 403)
  async history(
    @CurrentPrincipal() p: SessionPrincipal,
    @Query(new ZodPipe(policyHistoryQuerySchema)) q: z.infer<typeof policyHistoryQuerySchema>,
  ) {
    const page = await this.store.history(p.tenantId, q.limit + 1, q.before);
    const versions = page.slice(0, q.limit);
    return { versions: versions.map(policyView), nextCursor: page.length > q.limit ? versions.at(-1)!.version : null };
  }

  @Get('versions/:version')
  @RequirePermission('tenant:manage')
  @ApiProblems(400, 401, 403, 404)
  async version(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('version', new ZodPipe(policyVersionSchema)) version: number,
  ) {
    const found = await this.store.version(p.tenantId, version);
    if (!found) throw notFound('Policy version');
    return policyView(found);
  }
}

export function settingsOf(body: MfaPolicyInput): MfaPolicyChange {
  const {
    version: _version,
    updatedAt: _updatedAt,
    updatedBy: _updatedBy,
    confirmation: _confirmation,
    ...settings
  } = body;
  return settings;
}
