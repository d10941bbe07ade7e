import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import { actorOf } from '../common/access/principal.js';
import type { SessionPrincipal } from '../sessions/index.js';
import type { RequestMeta } from '../common/actor.js';
import type { z } from 'zod';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { ForgetAllDevicesCommand } from './commands/forget-all-devices.command.js';
import { forgetAllDevicesSchema } from '../policy/index.js';

/** Tenant-wide MFA controls for admins. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/mfa')
export class AdminMfaController {
  constructor(private readonly commands: CommandBus) {}

  /** Every factor and remembered device of the tenant removed; needs a recent re-auth and the admin's confirmation. */
  @Post('forget-all-devices')
  @HttpCode(200)
  @RequirePermission('tenant:manage')
  @ApiJsonBody(forgetAllDevicesSchema)
  @ApiProblems(400, 401, 403, 429)
  async forgetAllDevices(
    @CurrentPrincipal() p: SessionPrincipal,
    @Body(new ZodPipe(forgetAllDevicesSchema)) body: z.infer<typeof forgetAllDevicesSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { password, code } = body;
    const confirmation = password === undefined ? undefined : { password, code };
    const editor = { userId: p.userId, session: p.session };
    return this.commands.execute(new ForgetAllDevicesCommand(p.tenantId, editor, confirmation, actorOf(p), meta));
  }
}
