import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { hashToken } from '../../common/crypto/tokens.js';
import { recordUse } from '../last-used.js';
import { RegisteredApp } from './app.entity.js';

export const APP_KEY_PREFIX = 'sga_';
/** The header an app's back end (or the app) sends its key in at sign-in; the body's `appKey` also works. */
export const APP_KEY_HEADER = 'x-stepguard-app-key';

/** Finds the app a sign-in comes through from the key it carries. */
@Injectable()
export class AppKeys {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {}

  /** The tenant's live app behind `key`; null for a malformed, unknown, removed or another tenant's key. */
  async resolve(tenantId: string, key: string): Promise<RegisteredApp | null> {
    if (!key.startsWith(APP_KEY_PREFIX) || key.length > 128) return null;
    const em = this.orm.em.fork();
    const app = await em.findOne(RegisteredApp, { tenantId, keyHash: hashToken(key), revokedAt: null });
    if (!app) return null;
    await recordUse(em, RegisteredApp, app, this.clock.now());
    return app;
  }
}
