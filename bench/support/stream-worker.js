// The Stepguard worker of bench/audit-stream.bench.js, in its own process as `npm run start:worker` runs it:
// the built app (dist/) with its BullMQ processors (WorkersModule: the `audit-stream` queue's DeliverChain,
// the NOTIFY listener and tick that wake it, the checkpoint schedule, …) in a Nest application context, on
// the database and Redis prefix the parent made, with the parent's keys (the sinks' secrets are sealed with
// them). The parent forks it with NODE_EXTRA_CA_CERTS naming the bench's throw-away CA, which is how an
// operator makes Node trust a receiver's private CA. It counts what it does, for the parent to print: the
// SQL statements and Redis commands it sent, the wake-ups it took (a commit's notification, the tick) and
// the delivery runs by how each ended.
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../dist/src/app/app.module.js';
import { DeliverChain } from '../../dist/src/audit/stream/deliver-chain.js';
import { StreamWake } from '../../dist/src/audit/stream/stream-wake.js';
import { WorkersModule } from '../../dist/workers/workers.module.js';
import { benchConfig } from './bench-config.js';
import { countDriverCalls } from './driver-calls.js';
import { serveCalls } from './socket-rpc.js';

const calls = countDriverCalls();
const wakes = { chain: 0, due: 0 };
const runs = {};

for (const method of ['chain', 'due']) {
  const original = StreamWake.prototype[method];
  StreamWake.prototype[method] = function (...args) {
    wakes[method]++;
    return original.apply(this, args);
  };
}
const run = DeliverChain.prototype.run;
DeliverChain.prototype.run = async function (...args) {
  const ended = await run.apply(this, args);
  runs[ended.ended] = (runs[ended.ended] ?? 0) + 1;
  return ended;
};

let app;

serveCalls({
  async start({ databaseUrl, redisPrefix, operatorToken, logLevel, env }) {
    const config = benchConfig({ databaseUrl, redisPrefix, operatorToken, logLevel, env });
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { extra: [WorkersModule] }), {
      logger: logLevel === 'silent' ? false : ['error', 'warn'],
      abortOnError: false,
    });
    return { pid: process.pid };
  },
  cpu: () => process.cpuUsage(),
  counts: () => ({ ...calls, wakes: { ...wakes }, runs: { ...runs } }),
  async close() {
    await app?.close();
  },
});
