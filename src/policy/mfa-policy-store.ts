import type { EntityManager } from '@mikro-orm/postgresql';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { defaultPolicy, type MfaPolicySettings } from './mfa-policy.js';
import { MfaPolicyVersion } from './mfa-policy-version.entity.js';

/** The policy in force for a tenant: its settings and which saved version they are (0: never saved). */
export interface StoredMfaPolicy {
  settings: MfaPolicySettings;
  version: number;
  updatedAt: Date | null;
  updatedBy: Actor | null;
}

/** Reads tenants' MFA policies: the one in force and every earlier version. */
@Injectable()
export class MfaPolicyStore {
  constructor(
    private readonly orm: MikroORM,
    private readonly config: AppConfig,
  ) {}

  /** The highest saved version, or the defaults (version 0) for a tenant that never saved one. */
  async current(tenantId: string, em: EntityManager = this.orm.em.fork()): Promise<StoredMfaPolicy> {
    const latest = await em.findOne(MfaPolicyVersion, { tenantId }, { orderBy: { version: 'desc' } });
    return latest ? stored(latest) : this.defaults();
  }

  async version(tenantId: string, version: number): Promise<StoredMfaPolicy | null> {
    if (version === 0) return this.defaults();
    const found = await this.orm.em.fork().findOne(MfaPolicyVersion, { tenantId, version });
    return found ? stored(found) : null;
  }

  /** Saved versions, newest first, `before` a version (exclusive) when paging. */
  async history(tenantId: string, limit: number, before?: number): Promise<StoredMfaPolicy[]> {
    const rows = await this.orm.em
      .fork()
      .find(
        MfaPolicyVersion,
        { tenantId, ...(before ? { version: { $lt: before } } : {}) },
        { orderBy: { version: 'desc' }, limit },
      );
    return rows.map(stored);
  }

  private defaults(): StoredMfaPolicy {
    return {
      settings: defaultPolicy(this.config.env.REAUTH_MAX_AGE_MINUTES),
      version: 0,
      updatedAt: null,
      updatedBy: null,
    };
  }
}

function stored(row: MfaPolicyVersion): StoredMfaPolicy {
  return {
    settings: row.settings(),
    version: row.version,
    updatedAt: row.createdAt,
    updatedBy: { type: row.createdByType, id: row.createdById },
  };
}
