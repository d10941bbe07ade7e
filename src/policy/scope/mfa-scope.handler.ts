import { MikroORM } from '@mikro-orm/postgresql';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Logger } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { UserCreatedEvent, UserRolesChangedEvent } from '../../identity/index.js';
import { MfaPolicyStore } from '../mfa-policy-store.js';
import { MfaScopeStart } from './mfa-scope-start.entity.js';
import { TenantScope } from '../../common/tenant-scope.js';

/**
 * A new account or new roles can bring a user into (or out of) the policy's scope: their grace period
 * starts when that is committed. Should this be lost in a crash, the next look at the user records it.
 */
@EventsHandler(UserCreatedEvent, UserRolesChangedEvent)
export class MfaScopeOnUserChange implements IEventHandler<UserCreatedEvent | UserRolesChangedEvent> {
  private readonly logger = new Logger('MfaScope');

  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly policies: MfaPolicyStore,
  ) {}

  async handle(event: UserCreatedEvent | UserRolesChangedEvent): Promise<void> {
    const roles = event instanceof UserCreatedEvent ? event.roles : event.after;
    try {
      // The event names its tenant: its publisher may be the operator, who works in none.
      await TenantScope.run(event.tenantId, async () => {
        const em = this.orm.em.fork();
        const { settings } = await this.policies.current(event.tenantId, em);
        await em
          .getRepository(MfaScopeStart)
          .syncUser({ tenantId: event.tenantId, userId: event.userId, roles }, settings, this.clock.now());
      });
    } catch (error) {
      this.logger.warn(`scope of user ${event.userId} not recorded yet: ${(error as Error).message}`);
    }
  }
}
