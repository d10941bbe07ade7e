import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { RequestMeta } from '../common/actor.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiJsonBody, ApiProblems } from '../common/http/openapi.js';
import { ReqMeta } from '../common/http/request-meta.js';
import { ZodPipe } from '../common/http/zod-body.pipe.js';
import { RevokeSessionCommand } from '../sessions/commands/revoke-session.command.js';
import { CurrentPrincipal, Public } from './auth.decorators.js';
import { LoginCommand } from './commands/login.command.js';
import { loginSchema } from './dto/login.schema.js';
import { actorOf, type UserPrincipal } from './principal.js';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly commands: CommandBus) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiJsonBody(loginSchema)
  @ApiProblems(400, 401, 429, 503)
  async login(@Body(new ZodPipe(loginSchema)) body: z.infer<typeof loginSchema>, @ReqMeta() meta: RequestMeta) {
    const result = await this.commands.execute(new LoginCommand(body, meta));
    const s = result.session;
    return {
      status: result.status,
      token: result.token,
      session: { id: s.id, expiresAt: s.expiresAt.toISOString(), aal: s.aal, amr: s.amr },
    };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiProblems(401)
  async logout(@CurrentPrincipal() p: UserPrincipal, @ReqMeta() meta: RequestMeta): Promise<void> {
    const own = { kind: 'own', userId: p.userId } as const;
    try {
      await this.commands.execute(new RevokeSessionCommand(p.tenantId, p.session.id, own, 'logout', actorOf(p), meta));
    } catch (error) {
      // A concurrent logout (or revocation) got there first: the session is gone, which is what was asked.
      if (!(error instanceof DomainError && error.code === 'not_found')) throw error;
    }
  }
}
