import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MfaScopeStartRepository } from './mfa-scope-start.repository.js';

/**
 * When a user came into their tenant's MFA policy's scope: their grace period runs from here. One row
 * per user while they stay in scope, so editing the policy never restarts the clock; none once they leave.
 */
@Entity({ tableName: 'mfa_scope_starts', repository: () => MfaScopeStartRepository })
@Index({ properties: ['tenantId', 'startedAt'] })
export class MfaScopeStart {
  [EntityRepositoryType]?: MfaScopeStartRepository;

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'datetime' })
  startedAt!: Date;
}
