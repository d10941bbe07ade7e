import { isOwnOrigin } from '../http/own-origin.js';
import { sessionTokenIn } from '../http/session-cookie.js';
import type { GatewaySocket } from './socket-server.js';

/**
 * The session a socket claims: the bearer token an app sends in `auth.token`, or else, for Stepguard's own
 * pages, the page cookie. The cookie counts only when the handshake's `Origin` is this server: a browser
 * sends it along on a WebSocket opened by any site, and another site must not hold a socket on our
 * visitor's session (cross-site WebSocket hijacking).
 */
export function handshakeToken(handshake: GatewaySocket['handshake'], publicUrl: string): unknown {
  const bearer: unknown = (handshake.auth as { token?: unknown } | undefined)?.token;
  if (bearer !== undefined) return bearer;
  const { origin, host, cookie } = handshake.headers;
  if (!origin || !isOwnOrigin(origin, publicUrl, `${handshake.secure ? 'https' : 'http'}://${host ?? ''}`))
    return undefined;
  return sessionTokenIn(cookie, publicUrl) ?? undefined;
}
