import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { hashToken } from '../common/crypto/tokens.js';
import { TenantScope } from '../common/tenant-scope.js';
import { ApiKey } from './api-key.entity.js';
import { recordUse } from './last-used.js';

export const API_KEY_PREFIX = 'sgk_';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {}

  /** The live key behind a bearer token; looked up by its hash, like session tokens. */
  async authenticate(token: string): Promise<ApiKey | null> {
    if (!token.startsWith(API_KEY_PREFIX)) return null;
    const em = this.orm.em.fork();
    const key = await TenantScope.acrossTenants('a bearer token names its own tenant', () =>
      em.findOne(ApiKey, { keyHash: hashToken(token), revokedAt: null }),
    );
    if (!key) return null;
    await TenantScope.run(key.tenantId, () => recordUse(em, ApiKey, key, this.clock.now()));
    return key;
  }
}
