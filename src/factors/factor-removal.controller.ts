import { Body, Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { actorOf, type UserPrincipal } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { RemoveFactorCommand } from './commands/remove-factor.command.js';
import { factorIdSchema } from './dto/factors.schemas.js';
import { removeFactorSchema, type RemovalProofInput } from './dto/remove-factor.schema.js';

/** Removing one of the signed-in user's factors: password or current code, within the re-auth window. */
@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me/factors')
export class FactorRemovalController {
  constructor(private readonly commands: CommandBus) {}

  @Delete(':factorId')
  @HttpCode(204)
  @ApiJsonBody(removeFactorSchema)
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async remove(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('factorId', new ZodPipe(factorIdSchema)) factorId: string,
    @Body(new ZodPipe(removeFactorSchema)) proof: RemovalProofInput,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.commands.execute(
      new RemoveFactorCommand(p.tenantId, p.userId, p.session.id, factorId, proof, actorOf(p), meta),
    );
  }
}
