import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { ManualClock } from '../../src/common/clock.js';
import { createHttpApp } from '../../src/app/create-http-app.js';
import { aTenant, PASSWORD, type TenantFixture } from '../support/builders.js';
import { HttpClient } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { aUserWithTotp, totpCodeAt } from '../support/totp.js';

class LogSink implements DestinationStream {
  readonly lines: string[] = [];
  write(chunk: string): void {
    this.lines.push(chunk);
  }
}

const key = () => randomBytes(32).toString('base64');

/**
 * A rolling deploy that adds key k2: node "new" already has it (and seals with it), node "old" does
 * not yet. A secret sealed on "new" must not turn sign-ins on "old" into 500s.
 */
describe('an encryption key added during a rolling deploy', () => {
  const clock = new ManualClock('2030-05-01T08:00:00Z');
  const k1 = `k1:${key()}`;
  const logs = new LogSink();
  let oldNode: TestApp;
  let newNode: NestExpressApplication;
  let newHttp: HttpClient;
  let acme: TenantFixture;
  beforeAll(async () => {
    oldNode = await startTestApp({
      clock,
      env: { STEPGUARD_ENCRYPTION_KEYS: k1, LOG_LEVEL: 'info' },
      logDestination: logs,
    });
    const config = testConfig(oldNode.databaseUrl, {
      STEPGUARD_ENCRYPTION_KEYS: `${k1},k2:${key()}`,
      REDIS_KEY_PREFIX: oldNode.config.env.REDIS_KEY_PREFIX,
      LOG_LEVEL: 'info',
    });
    // Nest's logger is one per process, so both nodes write to one sink; only "old" lacks k2.
    newNode = await createHttpApp(config, { clock, logDestination: logs });
    await newNode.listen(0, '127.0.0.1');
    newHttp = new HttpClient(`http://127.0.0.1:${(newNode.getHttpServer().address() as { port: number }).port}`);
    acme = await aTenant(oldNode.http);
  });
  afterAll(async () => {
    await newNode.close();
    await oldNode.close();
  });

  const login = (http: HttpClient, email: string) =>
    http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });

  it('answers 503 key_unavailable with Retry-After on a node without the key, and logs the key id, never the secret', async () => {
    const user = await aUserWithTotp(newHttp, acme, clock);
    const [{ secret_key_id: sealedUnder }] = await oldNode.sql('select secret_key_id from factors where id = $1', [
      user.factorId,
    ]);
    expect(sealedUnder).toBe('k2');

    const { challengeId } = (await login(oldNode.http, user.email)).body;
    const res = await oldNode.http.post(`/v1/auth/challenges/${challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(user.secret, clock),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 503, code: 'key_unavailable' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toContain('k2');

    const logged = logs.lines.map((l) => JSON.parse(l) as { msg?: string }).filter((l) => l.msg?.includes('"k2"'));
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toContain(user.factorId);
    expect(JSON.stringify(logged)).not.toContain(user.secret);
    expect(logs.lines.filter((l) => l.includes('internal_error') || l.includes('SecretBoxError'))).toEqual([]);

    // The node that has the key still signs the user in with the same code.
    const onNew = await newHttp.post(`/v1/auth/challenges/${challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(user.secret, clock),
    });
    expect(onNew.status).toBe(200);
  });
});
