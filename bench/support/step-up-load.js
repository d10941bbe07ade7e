// Worker thread for bench/totp-verify.bench.js: autocannon on POST /v1/auth/step-up, off the app's event
// loop. Every request is built as the next unused seeded user (bearer = that user's session token) with
// that user's TOTP code for the current time step, so no request is a replay. Running out of users
// throws, which ends the worker with an error rather than measuring refused replays.
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import { generateSync } from 'otplib';

const { url, users, connections, duration } = workerData;
let built = 0;

const options = {
  url,
  method: 'POST',
  connections,
  duration,
  // Off the main thread autocannon returns its raw per-run result either way; aggregated below.
  skipAggregateResult: true,
  requests: [
    {
      setupRequest(request) {
        const user = users[built++];
        if (!user) throw new Error(`all ${users.length} seeded users were used: seed more (--users)`);
        return {
          ...request,
          headers: { ...request.headers, 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
          body: JSON.stringify({ method: 'totp', code: generateSync({ secret: user.secret }) }),
        };
      },
    },
  ],
};
const result = autocannon.aggregateResult([await autocannon(options)], options);

parentPort.postMessage({
  // Requests built, sent or not: none of these users may be used again.
  built,
  // Per-second samples are not kept off the main thread: the mean rate over the run instead.
  rps: result.requests.total / result.duration,
  total: result.requests.total,
  p50: result.latency.p50,
  p99: result.latency.p99,
  ok: result.statusCodeStats?.['200']?.count ?? 0,
  statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
  errors: result.errors + result.timeouts,
});
