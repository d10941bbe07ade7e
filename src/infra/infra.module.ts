import { MikroORM } from '@mikro-orm/postgresql';
import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../common/app-config.js';
import { Clock, SystemClock } from '../common/clock.js';
import { PasswordHasher } from '../common/crypto/password-hasher.js';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import { withTimeout } from '../common/with-timeout.js';
import { type Entities, ormProvider } from './database/database.providers.js';
import { closeRedis, createRedis } from './redis/redis.js';

/**
 * How long closing the database pool may take. It waits for every checked-out connection to come back:
 * one that never does (seen once in CI, in a test's teardown with the workers in the process; the holder
 * was not found) must not keep the process from exiting cleanly.
 */
const POOL_CLOSE_MS = 5000;

@Injectable()
class InfraShutdown implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const closed = await withTimeout(
      this.orm.close().then(() => true),
      POOL_CLOSE_MS,
    );
    if (!closed)
      this.logger.warn(`the PostgreSQL pool did not close within ${POOL_CLOSE_MS} ms: a connection was still in use`);
    await closeRedis(this.redis);
  }
}

/** Database, Redis, clock and configuration: shared by the api, the workers and the CLI. */
@Global()
@Module({})
export class InfraModule {
  static forRoot(config: AppConfig, entities: Entities, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: InfraModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: clock },
        ormProvider(entities),
        {
          provide: Redis,
          inject: [AppConfig],
          useFactory: (c: AppConfig) => createRedis(c.redis, 'main', 'requests'),
        },
        PasswordHasher,
        UnitOfWork,
        InfraShutdown,
      ],
      exports: [AppConfig, Clock, MikroORM, Redis, PasswordHasher, UnitOfWork],
    };
  }
}
