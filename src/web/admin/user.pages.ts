import { Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../../common/access/principal-read.js';
import { actorOf, hasPermission } from '../../common/access/principal.js';
import type { RequestMeta } from '../../common/actor.js';
import { notFound } from '../../common/errors/domain-error.js';
import { type AdminUserMfaView, AdminUsersMfa, MFA_OF_USER } from '../../compliance/index.js';
import { RequestMfaResetCommand } from '../../factors/index.js';
import { ReqMeta } from '../../http/request-meta.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import { userNotFound, uuidSchema } from '../../identity/index.js';
import { DisconnectCommand, disconnectSchema } from '../../live/index.js';
import {
  assertMaySeeSessionsOf,
  type ListedSession,
  ListSessionsQuery,
  mayManageAdmins,
  maySeeSessionsOf,
  RevokeSessionCommand,
  type SessionPrincipal,
} from '../../sessions/index.js';
import { PageController } from '../page-controller.js';
import { PageFrames } from '../page-frames.js';
import { sessionRow } from '../session-row.js';
import { PageRenderer } from '../page-renderer.js';
import { userRow } from './users-view.js';
import { disconnectNotice, userNotice } from './user-notices.js';

const uuid = new ZodPipe(uuidSchema);

/**
 * One user of the tenant for admins and managers: details and MFA standing (`users:read`), their sessions
 * with revoke (`sessions:manage`; an admin's only for admins), Reset MFA and Disconnect (`tenant:manage`),
 * each by the API's command, each after a confirmation page. Another tenant's user is not found.
 */
@PageController('admin/users')
export class UserPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly users: AdminUsersMfa,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get(':id')
  @RequirePermission('users:read')
  @ReadsWithPrincipal(MFA_OF_USER)
  async show(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('id', uuid) id: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ) {
    const user = await this.requireUser(p, id);
    const seesSessions = hasPermission(p, 'sessions:manage') && maySeeSessionsOf(p, user.roles);
    const sessions = seesSessions ? await this.sessionsOf(p, id) : null;
    const { frame } = await this.frames.forUser(p, user.email, 'admin');
    this.pages.send(res, 'admin-user', frame, {
      adminSection: 'users',
      user: userRow(user),
      notice: userNotice(query, user.email),
      disconnected: disconnectNotice(query),
      showSessions: sessions !== null,
      sessions: sessions?.map(listed) ?? [],
      sessionsProtected: hasPermission(p, 'sessions:manage') && !seesSessions,
      canManage: hasPermission(p, 'tenant:manage'),
    });
  }

  @Get(':id/sessions/:sessionId/revoke')
  @RequirePermission('sessions:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async confirmRevoke(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('id', uuid) id: string,
    @Param('sessionId', uuid) sessionId: string,
    @Res() res: Response,
  ) {
    const { user, session } = await this.sessionOf(p, id, sessionId);
    const { frame } = await this.frames.forUser(p, 'End this session?', 'admin');
    this.pages.send(res, 'admin-user-session-revoke', frame, {
      adminSection: 'users',
      user: userRow(user),
      session: listed(session),
    });
  }

  @Post(':id/sessions/:sessionId/revoke')
  @RequirePermission('sessions:manage')
  async revoke(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('id', uuid) id: string,
    @Param('sessionId', uuid) sessionId: string,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    await this.sessionOf(p, id, sessionId);
    const scope = { kind: 'tenant', includingAdmins: mayManageAdmins(p) } as const;
    await this.commands.execute(
      new RevokeSessionCommand(p.tenantId, sessionId, scope, 'admin_revoked', actorOf(p), meta),
    );
    res.redirect(303, `/admin/users/${id}?done=revoked`);
  }

  @Get(':id/mfa-reset')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async confirmReset(@CurrentPrincipal() p: SessionPrincipal, @Param('id', uuid) id: string, @Res() res: Response) {
    const user = await this.requireUser(p, id);
    const { frame } = await this.frames.forUser(p, 'Reset two-step verification?', 'admin');
    this.pages.send(res, 'admin-user-mfa-reset', frame, { adminSection: 'users', user: userRow(user) });
  }

  @Post(':id/mfa-reset')
  @RequirePermission('tenant:manage')
  async reset(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('id', uuid) id: string,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    await this.commands.execute(new RequestMfaResetCommand(p.tenantId, id, actorOf(p), meta));
    res.redirect(303, `/admin/users/${id}?done=mfa-reset`);
  }

  @Get(':id/disconnect')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async disconnectForm(@CurrentPrincipal() p: SessionPrincipal, @Param('id', uuid) id: string, @Res() res: Response) {
    await this.showDisconnect(p, res, await this.requireUser(p, id), { reason: '', error: null });
  }

  @Post(':id/disconnect')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async disconnect(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('id', uuid) id: string,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    const entered = String((req.body as Record<string, unknown> | undefined)?.reason ?? '').slice(0, 400);
    const form = disconnectSchema.safeParse({ reason: entered });
    if (!form.success) {
      const user = await this.requireUser(p, id);
      const error = 'Say why, in at most 200 characters (it is shown to the user and kept in the audit log).';
      return this.showDisconnect(p, res, user, { reason: entered, error }, 400);
    }
    const outcome = await this.commands.execute(
      new DisconnectCommand(p.tenantId, { userId: id }, form.data.reason, actorOf(p), meta),
    );
    const result = new URLSearchParams({
      done: 'disconnected',
      sessions: String(outcome.sessionsAffected),
      sockets: String(outcome.socketsDisconnected),
      reached: outcome.allNodesReached ? 'all' : 'some',
    });
    res.redirect(303, `/admin/users/${id}?${result.toString()}`);
  }

  private async showDisconnect(
    p: SessionPrincipal,
    res: Response,
    user: AdminUserMfaView,
    form: { reason: string; error: string | null },
    status = 200,
  ) {
    const { frame } = await this.frames.forUser(p, 'Disconnect this user?', 'admin');
    this.pages.send(
      res,
      'admin-user-disconnect',
      frame,
      { adminSection: 'users', user: userRow(user), ...form },
      status,
    );
  }

  /** The user, or the same not-found page for an unknown id and another tenant's user. */
  private async requireUser(p: SessionPrincipal, id: string): Promise<AdminUserMfaView> {
    const user = await this.users.user(p.tenantId, id);
    if (!user) throw userNotFound();
    return user;
  }

  private sessionsOf(p: SessionPrincipal, userId: string): Promise<ListedSession[]> {
    return this.queries.execute(new ListSessionsQuery(p.tenantId, userId, p.session.id));
  }

  /** A live session of this user that the caller may end (not their own current one), or not found. */
  private async sessionOf(p: SessionPrincipal, userId: string, sessionId: string) {
    const user = await this.requireUser(p, userId);
    assertMaySeeSessionsOf(p, user.roles);
    const session = (await this.sessionsOf(p, userId)).find((s) => s.id === sessionId && !s.current);
    if (!session) throw notFound('Session');
    return { user, session };
  }
}

function listed(s: ListedSession) {
  return sessionRow(s);
}
