import { MikroORM } from '@mikro-orm/postgresql';
import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../common/app-config.js';
import { Clock, SystemClock } from '../common/clock.js';
import { PasswordHasher } from '../common/crypto/password-hasher.js';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import { type Entities, ormProvider } from './database/database.providers.js';
import { closeRedis, createRedis } from './redis/redis.js';

@Injectable()
class InfraShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.orm.close();
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
