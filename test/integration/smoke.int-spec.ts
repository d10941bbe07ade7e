import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { ENTITIES } from '../../src/app/entities.js';
import { ormConfig } from '../../src/infra/database/orm-config.js';
import { Tenant } from '../../src/identity/tenant.entity.js';
import { createTestDatabase } from '../support/postgres.js';

describe('database', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let orm: MikroORM;
  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(ormConfig({ url: db.url, poolMax: 2, entities: ENTITIES }));
  });
  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  it('stores a tenant', async () => {
    const em = orm.em.fork();
    em.persist(new Tenant('acme', 'Acme', new Date()));
    await em.flush();
    expect(await orm.em.fork().count(Tenant)).toBe(1);
  });
});
