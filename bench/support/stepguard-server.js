// The Stepguard server of bench/peer.bench.js, in its own process: the built HTTP app (dist/, as
// createHttpApp builds it for login-sessions.bench.js: no BullMQ workers in this process) on the database
// the parent created and migrated, under the bench's Redis prefix, with benchConfig's production settings
// and opened login limits, and the encryption key the parent seals the seeded factors with.
import { createHttpApp } from '../../dist/src/app/create-http-app.js';
import { benchConfig } from './bench-config.js';
import { inFlight, serveServer } from './peer-server.js';

const requests = inFlight();
let app;

serveServer({
  requests,
  async listen({ databaseUrl, redisPrefix, operatorToken, logLevel, env }) {
    app = await createHttpApp(benchConfig({ databaseUrl, redisPrefix, operatorToken, logLevel, env }));
    // Express ends every response it answers, even when the client has gone: that call is the request's end.
    app.getHttpServer().prependListener('request', (req, res) => {
      requests.begin();
      const end = res.end;
      res.end = function (...args) {
        res.end = end;
        requests.end();
        return end.apply(this, args);
      };
    });
    await app.listen(0, '127.0.0.1');
    return { baseUrl: `http://127.0.0.1:${app.getHttpServer().address().port}`, pid: process.pid };
  },
  async close() {
    // Nest closes the database before the HTTP server: let the requests still in flight finish first.
    await requests.idle();
    await new Promise((resolve) => (app ? app.getHttpServer().close(resolve) : resolve()));
    await app?.close();
  },
});
