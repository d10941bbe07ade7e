import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { actorOf, type UserPrincipal } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { RevokeOtherSessionsCommand } from './commands/revoke-other-sessions.command.js';
import { RevokeSessionCommand } from './commands/revoke-session.command.js';
import { LISTED_SESSION } from './queries/list-sessions.query.js';
import { LIVE_SESSIONS } from './live-sessions.read.js';
import { sessionView } from './session-view.js';
import { Clock } from '../common/clock.js';
import { readOf, ReadsWithPrincipal } from '../common/access/principal-read.js';

const sessionId = new ZodPipe(z.uuid());

@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me/sessions')
export class MySessionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {}

  /** Answered from the guard's query: the list is read with the session that authenticates the request. */
  @Get()
  @ReadsWithPrincipal(LIVE_SESSIONS)
  @ApiProblems(401, 403)
  list(@CurrentPrincipal() p: UserPrincipal) {
    const now = this.clock.now();
    const live = readOf(p.reads, LIVE_SESSIONS).filter((s) => s.isActiveAt(now));
    return { sessions: live.map((s) => sessionView(s, LISTED_SESSION, p.session.id)) };
  }

  @Delete(':sessionId')
  @HttpCode(204)
  @ApiProblems(400, 401, 403, 404)
  async revoke(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('sessionId', sessionId) id: string,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.commands.execute(
      new RevokeSessionCommand(p.tenantId, id, { kind: 'own', userId: p.userId }, 'user_revoked', actorOf(p), meta),
    );
  }

  @Post('revoke-others')
  @HttpCode(200)
  @ApiProblems(401, 403)
  async revokeOthers(@CurrentPrincipal() p: UserPrincipal, @ReqMeta() meta: RequestMeta) {
    return this.commands.execute(new RevokeOtherSessionsCommand(p.tenantId, p.userId, p.session.id, actorOf(p), meta));
  }
}
