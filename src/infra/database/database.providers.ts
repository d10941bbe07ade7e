import { MikroORM } from '@mikro-orm/postgresql';
import { type FactoryProvider, Logger } from '@nestjs/common';
import { AppConfig } from '../../common/app-config.js';
import { ormConfig } from './orm-config.js';

export type Entities = NonNullable<Parameters<typeof ormConfig>[0]['entities']>;

export const ormProvider = (entities: Entities): FactoryProvider<Promise<MikroORM>> => ({
  provide: MikroORM,
  inject: [AppConfig],
  useFactory: async (config: AppConfig) => {
    const logger = new Logger('Database');
    const orm = await MikroORM.init({
      ...ormConfig({ url: config.databaseUrl, poolMax: config.env.DATABASE_POOL_MAX, entities }),
      logger: (message: string) => logger.debug(message),
    });
    return orm;
  },
});
