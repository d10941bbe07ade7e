import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { actorOf } from '../common/access/principal.js';
import type { SessionPrincipal } from '../sessions/index.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { RegenerateBackupCodesCommand } from './commands/regenerate-backup-codes.command.js';

/** The signed-in user's backup codes: only ever shown when a new set is made. */
@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me/backup-codes')
export class BackupCodesController {
  constructor(private readonly commands: CommandBus) {}

  /** A new set of codes, shown this once; the old ones stop working. Needs a recent check, not a degraded session. */
  @Post()
  @HttpCode(201)
  @ApiProblems(401, 403, 409)
  async regenerate(@CurrentPrincipal() p: SessionPrincipal, @ReqMeta() meta: RequestMeta) {
    return this.commands.execute(new RegenerateBackupCodesCommand(p.tenantId, p.userId, p.session, actorOf(p), meta));
  }
}
