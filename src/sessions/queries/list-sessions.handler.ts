import { MikroORM } from '@mikro-orm/postgresql';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock } from '../../common/clock.js';
import { Session } from '../session.entity.js';
import { sessionView } from '../session-view.js';
import { LISTED_SESSION, type ListedSession, ListSessionsQuery } from './list-sessions.query.js';

@QueryHandler(ListSessionsQuery)
export class ListSessionsHandler implements IQueryHandler<ListSessionsQuery> {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {}

  async execute({ tenantId, userId, currentSessionId }: ListSessionsQuery): Promise<ListedSession[]> {
    const now = this.clock.now();
    const sessions = await this.orm.em.fork().getRepository(Session).listLiveForUser(tenantId, userId, now);
    return sessions.filter((s) => s.isActiveAt(now)).map((s) => sessionView(s, LISTED_SESSION, currentSessionId));
  }
}
