// The better-auth server of bench/peer.bench.js, in its own process: better-auth-options.js served by plain
// node:http through `toNodeHandler`, on a pg Pool (max 10, as Stepguard's DATABASE_POOL_MAX) over the
// database the parent created and migrated.
import { createServer } from 'node:http';
import { betterAuth } from 'better-auth';
import { toNodeHandler } from 'better-auth/node';
import pg from 'pg';
import { betterAuthOptions } from './better-auth-options.js';
import { inFlight, serveServer } from './peer-server.js';

const requests = inFlight();
let server;
let pool;

serveServer({
  requests,
  async listen({ databaseUrl, secret, logLevel }) {
    let handler = (req, res) => res.writeHead(503).end();
    // toNodeHandler's promise settles when better-auth is done with the request, answered or not (it
    // skips writing to a socket the client has closed).
    server = createServer(async (req, res) => {
      requests.begin();
      try {
        await handler(req, res);
      } finally {
        requests.end();
      }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseURL = `http://127.0.0.1:${server.address().port}`;
    pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
    handler = toNodeHandler(betterAuth(betterAuthOptions({ baseURL, secret, database: pool, logLevel })));
    return { baseUrl: baseURL, pid: process.pid };
  },
  async close() {
    await requests.idle();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
    await pool?.end();
  },
});
