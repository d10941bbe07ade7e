import { Injectable } from '@nestjs/common';
import type { ApiKeyScope } from '../common/access/roles.js';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import { ApiKey } from './api-key.entity.js';

/** A live API key as its admins see it: never the key itself, which was shown once. */
export interface ApiKeyView {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
}

/** The tenant's live keys, oldest first: what `GET /v1/admin/api-keys` and the admin console list. */
@Injectable()
export class ApiKeyList {
  constructor(private readonly uow: UnitOfWork) {}

  async live(tenantId: string): Promise<ApiKeyView[]> {
    const keys = await this.uow
      .reader()
      .find(ApiKey, { tenantId, revokedAt: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return keys.map((k) => ({
      id: k.id,
      name: k.name,
      scopes: k.scopes,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    }));
  }
}
