// One Stepguard api node of bench/socket-disconnect.bench.js, in its own process: the built HTTP app
// (dist/) with its socket.io gateway, on the bench's database and Redis prefix, which is how the two
// nodes find each other.
import { AppConfig } from '../../dist/src/common/app-config.js';
import { createHttpApp } from '../../dist/src/app/create-http-app.js';
import { benchConfig } from './bench-config.js';
import { serveCalls, settledHeap } from './socket-rpc.js';

let app;

serveCalls({
  async listen({ databaseUrl, redisPrefix, operatorToken, logLevel, backlog, poolMax }) {
    const config = benchConfig({ databaseUrl, redisPrefix, operatorToken, logLevel });
    const env = poolMax ? { ...config.env, DATABASE_POOL_MAX: poolMax } : config.env;
    app = await createHttpApp(
      new AppConfig(env, config.databaseUrl, config.redis, config.encryptionKeys, config.auditSigningKeys),
    );
    // Nest hands the extra argument to http.Server#listen: the accept backlog, as the bare server sets it.
    await app.listen(0, '127.0.0.1', backlog);
    return { port: app.getHttpServer().address().port, poolMax: env.DATABASE_POOL_MAX };
  },
  heap: () => settledHeap(),
  async close() {
    await app?.close();
  },
});
