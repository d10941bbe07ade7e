import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { hashToken } from '../common/crypto/tokens.js';
import type { ApiKeyScope } from '../common/access/roles.js';
import { LAST_USED_WRITE_INTERVAL_MS } from './last-used.js';

export const API_KEY_PREFIX = 'sgk_';

export interface AuthenticatedApiKey {
  id: string;
  tenantId: string;
  scopes: ApiKeyScope[];
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {}

  /**
   * The live key behind a bearer token; looked up by its hash, like session tokens, in one statement
   * that also records its use once a minute (a key used more often writes nothing).
   */
  async authenticate(token: string): Promise<AuthenticatedApiKey | null> {
    if (!token.startsWith(API_KEY_PREFIX)) return null;
    const now = this.clock.now();
    const [key] = await this.orm.em.fork().execute<{ id: string; tenant_id: string; scopes: ApiKeyScope[] }[]>(
      `with found as (
         select id, tenant_id, scopes::text[] as scopes from api_keys where key_hash = ? and revoked_at is null
       ), used as (
         update api_keys set last_used_at = ?
          where id = (select id from found) and (last_used_at is null or last_used_at <= ?)
       )
       select * from found`,
      [hashToken(token), now, new Date(now.getTime() - LAST_USED_WRITE_INTERVAL_MS)],
    );
    return key ? { id: key.id, tenantId: key.tenant_id, scopes: key.scopes } : null;
  }
}
