import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

@Entity({ tableName: 'tenants' })
export class Tenant {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text', unique: true })
  slug: string;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'datetime' })
  createdAt: Date;

  /**
   * The MFA policy version in force (0: the defaults), written by the policy's save in its transaction.
   * Read with every session, it tells a node whether the policy it cached is still the one in force.
   */
  @Property({ type: 'integer' })
  mfaPolicyVersion = 0;

  constructor(slug: string, name: string, now: Date) {
    this.slug = slug;
    this.name = name;
    this.createdAt = now;
  }
}
