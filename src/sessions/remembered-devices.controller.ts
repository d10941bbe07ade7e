import { Controller, Delete, HttpCode } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import type { UserPrincipal } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ForgetRememberedDevicesCommand } from './commands/forget-remembered-devices.command.js';

@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me/remembered-devices')
export class RememberedDevicesController {
  constructor(private readonly commands: CommandBus) {}

  @Delete()
  @HttpCode(204)
  @ApiProblems(401, 403)
  async forgetAll(@CurrentPrincipal() p: UserPrincipal, @ReqMeta() meta: RequestMeta): Promise<void> {
    await this.commands.execute(new ForgetRememberedDevicesCommand(p.tenantId, p.userId, meta));
  }
}
