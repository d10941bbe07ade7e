import { Get, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { readOf, ReadsWithPrincipal } from '../common/access/principal-read.js';
import { actorOf } from '../common/access/principal.js';
import type { RequestMeta } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { notFound } from '../common/errors/domain-error.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import {
  LIVE_SESSIONS,
  RevokeOtherSessionsCommand,
  RevokeSessionCommand,
  type Session,
  type SessionPrincipal,
} from '../sessions/index.js';
import { PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { sessionRow } from './session-row.js';
import { PageRenderer } from './page-renderer.js';

const sessionId = new ZodPipe(z.uuid());

const DONE: Record<string, string> = {
  revoked: 'The session was ended. That device must sign in again.',
  others: 'Every other session was ended. Only this device is still signed in.',
};

/**
 * Where the user is signed in: this device first, then the others by last activity; each can be ended
 * (after a confirmation page, so it works without JavaScript), or all but this one at once.
 */
@PageController('account/sessions')
export class SessionsPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @ReadsWithPrincipal(MFA_OF_USER, LIVE_SESSIONS)
  async list(@CurrentPrincipal() p: SessionPrincipal, @Query('done') done: unknown, @Res() res: Response) {
    const { frame } = await this.frames.forUser(p, 'Sessions', 'sessions');
    const sessions = this.liveSessions(p).map((s) => listed(s, p.session.id));
    const notice = typeof done === 'string' ? (DONE[done] ?? null) : null;
    this.pages.send(res, 'sessions', frame, { sessions, others: sessions.length > 1, notice });
  }

  @Get(':sessionId/revoke')
  @ReadsWithPrincipal(MFA_OF_USER, LIVE_SESSIONS)
  async confirmRevoke(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('sessionId', sessionId) id: string,
    @Res() res: Response,
  ) {
    const session = this.liveSessions(p).find((s) => s.id === id && s.id !== p.session.id);
    if (!session) throw notFound('Session');
    const { frame } = await this.frames.forUser(p, 'End this session?', 'sessions');
    this.pages.send(res, 'session-revoke', frame, { session: listed(session, p.session.id) });
  }

  @Post(':sessionId/revoke')
  async revoke(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('sessionId', sessionId) id: string,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    const own = { kind: 'own', userId: p.userId } as const;
    await this.commands.execute(new RevokeSessionCommand(p.tenantId, id, own, 'user_revoked', actorOf(p), meta));
    res.redirect(303, '/account/sessions?done=revoked');
  }

  @Get('sign-out-others')
  @ReadsWithPrincipal(MFA_OF_USER, LIVE_SESSIONS)
  async confirmOthers(@CurrentPrincipal() p: SessionPrincipal, @Res() res: Response) {
    const { frame } = await this.frames.forUser(p, 'Sign out all other sessions?', 'sessions');
    const count = this.liveSessions(p).length - 1;
    this.pages.send(res, 'sessions-sign-out-others', frame, { count });
  }

  @Post('sign-out-others')
  async signOutOthers(@CurrentPrincipal() p: SessionPrincipal, @ReqMeta() meta: RequestMeta, @Res() res: Response) {
    await this.commands.execute(new RevokeOtherSessionsCommand(p.tenantId, p.userId, p.session.id, actorOf(p), meta));
    res.redirect(303, '/account/sessions?done=others');
  }

  /** The user's live sessions, this one first, then the most recently active. */
  private liveSessions(p: SessionPrincipal): Session[] {
    const now = this.clock.now();
    return readOf(p.reads, LIVE_SESSIONS)
      .filter((s) => s.isActiveAt(now))
      .sort((a, b) =>
        a.id === p.session.id ? -1 : b.id === p.session.id ? 1 : b.lastActiveAt.getTime() - a.lastActiveAt.getTime(),
      );
  }
}

function listed(s: Session, currentId: string) {
  return sessionRow({
    ...s,
    current: s.id === currentId,
    createdAt: s.createdAt.toISOString(),
    lastActiveAt: s.lastActiveAt.toISOString(),
  });
}
