import { MikroORM } from '@mikro-orm/postgresql';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock } from '../../common/clock.js';
import { Session } from '../session.entity.js';
import { ListSessionsQuery, type SessionView } from './list-sessions.query.js';

@QueryHandler(ListSessionsQuery)
export class ListSessionsHandler implements IQueryHandler<ListSessionsQuery> {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {}

  async execute({ tenantId, userId, currentSessionId }: ListSessionsQuery): Promise<SessionView[]> {
    const now = this.clock.now();
    const sessions = await this.orm.em.fork().getRepository(Session).listLiveForUser(tenantId, userId, now);
    return sessions.filter((s) => s.isActiveAt(now)).map((s) => toSessionView(s, currentSessionId));
  }
}

export function toSessionView(s: Session, currentSessionId: string | null): SessionView {
  return {
    id: s.id,
    current: s.id === currentSessionId,
    deviceType: s.deviceType,
    browser: s.browser,
    os: s.os,
    ip: s.ip,
    location: s.location,
    createdAt: s.createdAt.toISOString(),
    lastActiveAt: s.lastActiveAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    aal: s.aal,
    app: s.app,
    amr: s.amr,
  };
}
