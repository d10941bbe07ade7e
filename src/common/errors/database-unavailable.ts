/**
 * SQLSTATEs of a server that is going away, coming back or no longer the primary: class 08
 * (connection_exception) is matched by prefix; admin_shutdown, crash_shutdown, cannot_connect_now (shutting
 * down, starting up, in recovery) and read_only_sql_transaction (a standby after a failover answers writes
 * with it until the connection is moved to the new primary).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '25006']);

/** Socket errors of a connection that cannot be made or was cut (a refused port, a reset, DNS mid-switch). */
const SOCKET_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * What `pg` and `pg-pool` say, with no code, when a connection ends under a query, cannot be made in time
 * ("Connection terminated due to connection timeout") or broke before the query. Not pg-pool's "timeout
 * exceeded when trying to connect": that is the pool full for too long, a bug or an overload, not an outage.
 */
const DRIVER_MESSAGES = [/^Connection terminated/, /is not queryable/];

/**
 * Whether a failure is PostgreSQL being unreachable (restarting, failing over, down) rather than a fault of
 * the request or of the code: the same request may well succeed in a moment, so it answers 503, not 500.
 * The error is judged as thrown, not by its causes: MikroORM hands some of these on as `DriverException`
 * (with the `pg` error's code) and others raw (a transaction's BEGIN or COMMIT, a query on the pool), and in
 * a request the only sockets whose errors surface raw are PostgreSQL's (ioredis and fetch wrap theirs).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^08[0-9A-Z]{3}$/.test(code) || UNAVAILABLE_SQLSTATES.has(code) || SOCKET_ERRNOS.has(code)) return true;
  }
  return DRIVER_MESSAGES.some((pattern) => pattern.test(error.message));
}
