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

  /** How long a remembered device skips the second factor; 0 turns remembering off (the policy sets it). */
  @Property({ type: 'integer' })
  rememberDeviceDays = 30;

  constructor(slug: string, name: string, now: Date) {
    this.slug = slug;
    this.name = name;
    this.createdAt = now;
  }
}
