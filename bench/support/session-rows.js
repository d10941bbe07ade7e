// Session rows inserted by SQL as SessionsService.open writes them (the token stored as its hash), for the
// benches that need thousands of live sessions without a sign-in (an argon2id hash) each.
import { deviceInfoOf } from '../../dist/src/sessions/device-info.js';

/** `sessions`: `{ id, tenantId, userId, tokenHash }` each; all opened now with `amr`, from one device. */
export async function insertSessionRows(db, config, sessions, { amr, userAgent }) {
  const device = deviceInfoOf({ userAgent, ip: '127.0.0.1', location: null });
  const now = new Date();
  await db.query(
    `insert into sessions (id, tenant_id, user_id, token_hash, amr, device_type, browser, os, user_agent, ip,
                           location, created_at, last_active_at, authenticated_at, expires_at, idle_timeout_seconds)
     select id, tenant_id, user_id, token_hash, $1, $2, $3, $4, $5, $6, $7, $8, $8, $8, $9, $10
     from unnest($11::uuid[], $12::uuid[], $13::uuid[], $14::text[]) as t(id, tenant_id, user_id, token_hash)`,
    [
      amr,
      device.deviceType,
      device.browser,
      device.os,
      device.userAgent,
      device.ip,
      device.location,
      now,
      new Date(now.getTime() + config.absoluteTimeoutMs),
      Math.floor(config.idleTimeoutMs / 1000),
      sessions.map((s) => s.id),
      sessions.map((s) => s.tenantId),
      sessions.map((s) => s.userId),
      sessions.map((s) => s.tokenHash),
    ],
  );
}
