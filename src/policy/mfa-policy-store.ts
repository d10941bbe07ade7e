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

/** Tenants whose policy a process keeps at most; past it the least recently stored goes. */
const CACHED_TENANTS = 10_000;

/** Reads tenants' MFA policies: the one in force and every earlier version. */
@Injectable()
export class MfaPolicyStore {
  /** Saved versions never change, so a cached one is right for as long as it is the version in force. */
  private readonly cache = new Map<string, StoredMfaPolicy>();

  constructor(
    private readonly orm: MikroORM,
    private readonly config: AppConfig,
  ) {}

  /**
   * The policy in force when the caller knows its version (the tenant's `mfaPolicyVersion`, read in the
   * same query as the session): served from this process's cache unless a save on any node made it
   * newer, then read once. A policy change thus applies to the next request on every node.
   */
  async inForce(tenantId: string, version: number): Promise<StoredMfaPolicy> {
    if (version === 0) return this.defaults();
    const cached = this.cache.get(tenantId);
    if (cached?.version === version) return cached;
    const found = (await this.version(tenantId, version)) ?? (await this.current(tenantId));
    if (!cached || cached.version < found.version) {
      this.cache.delete(tenantId);
      if (this.cache.size >= CACHED_TENANTS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(tenantId, found);
    }
    return found;
  }

  /** The highest saved version, or the defaults (version 0) for a tenant that never saved one. */
  async current(tenantId: string, em: EntityManager = this.orm.em.fork()): Promise<StoredMfaPolicy> {
    const latest = await em.findOne(MfaPolicyVersion, { tenantId }, { orderBy: { version: 'desc' } });
    return latest ? this.stored(latest) : this.defaults();
  }

  async version(tenantId: string, version: number): Promise<StoredMfaPolicy | null> {
    if (version === 0) return this.defaults();
    const found = await this.orm.em.fork().findOne(MfaPolicyVersion, { tenantId, version });
    return found ? this.stored(found) : null;
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
    return rows.map((row) => this.stored(row));
  }

  private stored(row: MfaPolicyVersion): StoredMfaPolicy {
    return {
      settings: row.settings(this.config.env.MFA_REMINDER_DAYS),
      version: row.version,
      updatedAt: row.createdAt,
      updatedBy: { type: row.createdByType, id: row.createdById },
    };
  }

  private defaults(): StoredMfaPolicy {
    return {
      settings: defaultPolicy(this.config.env.REAUTH_MAX_AGE_MINUTES, this.config.env.MFA_REMINDER_DAYS),
      version: 0,
      updatedAt: null,
      updatedBy: null,
    };
  }
}
