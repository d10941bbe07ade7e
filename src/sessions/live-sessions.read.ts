import type { PrincipalRead } from '../common/access/principal-read.js';
import type { AuthMethod } from './session.entity.js';
import { Session } from './session.entity.js';

/** A session as the list reads it: the columns its view and its liveness need. */
interface ListedSessionJson {
  id: string;
  tenant_id: string;
  user_id: string;
  amr: AuthMethod[];
  device_type: string;
  browser: string | null;
  os: string | null;
  ip: string | null;
  location: string | null;
  app: Session['app'];
  created_ms: number;
  last_active_ms: number;
  expires_ms: number;
  idle_timeout_seconds: number;
}

/**
 * The signed-in user's sessions that are neither revoked nor past their absolute expiry, newest activity
 * first, read with the session that authenticates `GET /v1/me/sessions` (idle ones are left out by the
 * caller, which knows the clock). Instants travel as epoch milliseconds.
 */
export const LIVE_SESSIONS: PrincipalRead<Session[]> = {
  alias: 'live_sessions',
  expression: (now) => ({
    sql: `select coalesce(json_agg(json_build_object(
            'id', l.id, 'tenant_id', l.tenant_id, 'user_id', l.user_id, 'amr', l.amr,
            'device_type', l.device_type, 'browser', l.browser, 'os', l.os, 'ip', l.ip, 'location', l.location,
            'app', l.app, 'idle_timeout_seconds', l.idle_timeout_seconds,
            'created_ms', (extract(epoch from l.created_at) * 1000)::bigint,
            'last_active_ms', (extract(epoch from l.last_active_at) * 1000)::bigint,
            'expires_ms', (extract(epoch from l.expires_at) * 1000)::bigint)
          order by l.last_active_at desc, l.id), '[]')
          from sessions l
         where l.tenant_id = s.tenant_id and l.user_id = s.user_id and l.revoked_at is null and l.expires_at > ?`,
    params: [now],
  }),
  from: (value) =>
    (value as ListedSessionJson[]).map((l) =>
      // A read-only copy for the view: nothing writes through it.
      Object.assign(Object.create(Session.prototype) as Session, {
        id: l.id,
        tenantId: l.tenant_id,
        userId: l.user_id,
        amr: l.amr,
        deviceType: l.device_type,
        browser: l.browser,
        os: l.os,
        ip: l.ip,
        location: l.location,
        app: l.app,
        idleTimeoutSeconds: l.idle_timeout_seconds,
        createdAt: new Date(l.created_ms),
        lastActiveAt: new Date(l.last_active_ms),
        expiresAt: new Date(l.expires_ms),
        revokedAt: null,
      }),
    ),
};
