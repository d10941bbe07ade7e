import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import { actorOf, type UserPrincipal } from '../auth/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiProblems } from '../common/http/openapi.js';
import { ReqMeta } from '../common/http/request-meta.js';
import { ForgetAllDevicesCommand } from './commands/forget-all-devices.command.js';

/** Tenant-wide MFA controls for admins. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/mfa')
export class AdminMfaController {
  constructor(private readonly commands: CommandBus) {}

  /** Every factor and remembered device of the tenant removed; needs a recent re-auth. */
  @Post('forget-all-devices')
  @HttpCode(200)
  @RequirePermission('tenant:manage')
  @ApiProblems(401, 403)
  async forgetAllDevices(@CurrentPrincipal() p: UserPrincipal, @ReqMeta() meta: RequestMeta) {
    return this.commands.execute(new ForgetAllDevicesCommand(p.tenantId, p.session, actorOf(p), meta));
  }
}
