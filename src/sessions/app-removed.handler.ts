import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { NO_REQUEST } from '../common/actor.js';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import { TenantScope } from '../common/tenant-scope.js';
import { AppRemovedEvent } from '../identity/index.js';
import { Session } from './session.entity.js';
import { SessionsService } from './sessions.service.js';

/**
 * An app's key was retired (perhaps because it leaked): the sessions opened through it end too, each
 * revoked and audited as the admin's act (`app_removed`), their sockets closed with them.
 */
@EventsHandler(AppRemovedEvent)
export class AppRemovedHandler implements IEventHandler<AppRemovedEvent> {
  private readonly logger = new Logger('AppRemoved');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly sessions: SessionsService,
  ) {}

  async handle({ tenantId, appId, actor }: AppRemovedEvent): Promise<void> {
    try {
      await TenantScope.run(tenantId, () =>
        this.uow.run(async (tx) => {
          const live = await tx.em.getRepository(Session).lockLiveForApp(tenantId, appId, this.clock.now());
          for (const session of live) await this.sessions.revoke(tx, session, 'app_removed', actor, NO_REQUEST);
        }),
      );
    } catch (error) {
      this.logger.error(`sessions of removed app ${appId} not revoked: ${(error as Error).message}`);
    }
  }
}
