import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { ManualClock } from '../../src/common/clock.js';
import { STEPGUARD_QUEUES } from '../../src/ops/stepguard-queues.js';
import { aTenant, PASSWORD, type TenantFixture } from '../support/builders.js';
import { sample } from '../support/prometheus.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBE_QUEUE = 'maintenance';

class LogSink implements DestinationStream {
  readonly lines: string[] = [];

  write(chunk: string): void {
    this.lines.push(...chunk.split('\n').filter(Boolean));
  }

  records(): Record<string, any>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, any>);
  }
}

describe('operations endpoints', () => {
  let t: TestApp;
  let acme: TenantFixture;
  const clock = new ManualClock(new Date());
  const logs = new LogSink();
  const metrics = async () => (await t.http.get<string>('/metrics')).body;

  beforeAll(async () => {
    t = await startTestApp({
      clock,
      env: { LOG_LEVEL: 'info' },
      logDestination: logs,
    });
    acme = await aTenant(t.http, 'ops-acme');
  });
  afterAll(() => t.close());

  it('answers /healthz while the process is up', async () => {
    const res = await t.http.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with both dependencies up', async () => {
    const res = await t.http.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up', sockets: 'up' } });
  });

  it('records request latency by route template, never by raw URL', async () => {
    const sessionId = randomUUID();
    expect((await t.http.delete(`/v1/me/sessions/${sessionId}`, acme.admin.token)).status).toBe(404);
    expect((await t.http.get(`/no-such-route/${sessionId}`)).status).toBe(404);

    const res = await t.http.get<string>('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    const labels = { method: 'DELETE', route: '/v1/me/sessions/:sessionId', status: '404' };
    expect(sample(text, 'http_request_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBe(1);
    expect(text).not.toContain(sessionId);
  });

  it('exposes default process metrics', async () => {
    expect(sample(await metrics(), 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('counts logins by outcome: success, or the failure reason', async () => {
    const before = await metrics();
    const good = await t.http.post('/v1/auth/login', {
      tenant: acme.slug,
      email: acme.admin.email,
      password: PASSWORD,
    });
    const bad = await t.http.post('/v1/auth/login', {
      tenant: acme.slug,
      email: acme.admin.email,
      password: 'not the password',
    });
    expect([good.status, bad.status]).toEqual([200, 401]);

    const after = await metrics();
    const delta = (outcome: string) =>
      (sample(after, 'stepguard_logins_total', { outcome }) ?? 0) -
      (sample(before, 'stepguard_logins_total', { outcome }) ?? 0);
    expect(delta('success')).toBe(1);
    expect(delta('wrong_password')).toBe(1);
  });

  it('reports queue depth per queue and state', async () => {
    // No worker runs in this api-only app, so the jobs stay where they are put.
    const queue = t.app.get<Queue[]>(STEPGUARD_QUEUES).find((q) => q.name === PROBE_QUEUE)!;
    await queue.add('session-cleanup', {}, { jobId: 'probe-1' });
    await queue.add('session-cleanup', {}, { jobId: 'probe-2', delay: 60_000 });
    const text = await metrics();
    expect(sample(text, 'stepguard_queue_jobs', { queue: PROBE_QUEUE, state: 'waiting' })).toBe(1);
    expect(sample(text, 'stepguard_queue_jobs', { queue: PROBE_QUEUE, state: 'delayed' })).toBe(1);
    expect(sample(text, 'stepguard_queue_jobs', { queue: PROBE_QUEUE, state: 'active' })).toBe(0);
  });

  it('logs each request as JSON with its request id and without passwords or tokens', async () => {
    const requestId = `ops-login-${randomUUID().slice(0, 8)}`;
    const login = await t.http.request('POST', '/v1/auth/login', {
      body: { tenant: acme.slug, email: acme.admin.email, password: PASSWORD },
      headers: { 'x-request-id': requestId },
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('x-request-id')).toBe(requestId);
    const token = login.body.token as string;
    expect((await t.http.get('/v1/me', token)).status).toBe(200);

    const records = logs.records();
    const line = records.find((r) => r.req?.id === requestId);
    expect(line).toMatchObject({
      level: 'info',
      req: { method: 'POST', url: '/v1/auth/login' },
      res: { statusCode: 200 },
    });
    const me = records.find((r) => r.req?.url === '/v1/me' && r.res?.statusCode === 200);
    expect(me?.req.headers.authorization).toBe('[redacted]');
    const text = logs.lines.join('\n');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(token);
    expect(text).not.toContain(acme.admin.token);
  });

  it('replaces an unsafe incoming request id with a fresh uuid', async () => {
    const res = await t.http.request('GET', '/healthz', { headers: { 'x-request-id': `<script>${'x'.repeat(80)}` } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('leaves successful probes out of the request log', async () => {
    expect((await t.http.get('/healthz')).status).toBe(200);
    expect((await t.http.get('/metrics')).status).toBe(200);
    expect(logs.records().filter((r) => ['/healthz', '/readyz', '/metrics'].includes(r.req?.url))).toEqual([]);
  });

  it("writes Nest's own logs as JSON through the same logger", () => {
    const records = logs.records();
    expect(records.some((r) => r.context === 'RouterExplorer' && typeof r.msg === 'string')).toBe(true);
    expect(records.every((r) => typeof r.time === 'string' && typeof r.level === 'string')).toBe(true);
  });

  it('serves the OpenAPI document with the login request body and the ops routes', async () => {
    const res = await t.http.get('/openapi.json');
    expect(res.status).toBe(200);
    const login = res.body.paths['/v1/auth/login'].post;
    const schema = login.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['tenant', 'email', 'password']));
    expect(schema.required).toEqual(expect.arrayContaining(['tenant', 'email', 'password']));
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
  });

  // Last: moving the clock past every idle timeout ends all sessions of this app.
  it('gauges active sessions by the injected clock: revoked and expired ones do not count', async () => {
    const live = async () => sample(await metrics(), 'stepguard_active_sessions');
    const before = (await live())!;
    expect(before).toBeGreaterThanOrEqual(2);
    const token = (
      await t.http.post('/v1/auth/login', { tenant: acme.slug, email: acme.admin.email, password: PASSWORD })
    ).body.token;
    expect(await live()).toBe(before + 1);
    expect((await t.http.post('/v1/auth/logout', undefined, token)).status).toBe(204);
    expect(await live()).toBe(before);

    clock.advance(t.config.idleTimeoutMs + 1000);
    expect(await live()).toBe(0);
  });
});

describe('readiness with Redis unreachable', () => {
  let t: TestApp;
  const logs = new LogSink();
  beforeAll(async () => {
    t = await startTestApp({
      env: { REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'info' },
      logDestination: logs,
    });
  });
  afterAll(() => t.close());

  it('still boots and answers /healthz', async () => {
    expect((await t.http.get('/healthz')).status).toBe(200);
  });

  it('answers sign-in with 503 and Retry-After rather than skipping the rate limits', async () => {
    const res = await t.http.post('/v1/auth/login', { tenant: 'any', email: 'a@b.example', password: 'whatever' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('service_unavailable');
    expect(res.headers.get('retry-after')).toBe('5');
  });

  it('answers /readyz 503 problem+json naming Redis', async () => {
    const res = await t.http.get('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(res.body.detail).toContain('redis');
    expect(res.body.detail).not.toContain('database');
    expect(logs.records().filter((r) => r.req?.url === '/readyz')).toMatchObject([
      { level: 'error', res: { statusCode: 503 } },
    ]);
  });

  it('still answers /metrics, leaving out the queues it cannot read', async () => {
    const res = await t.http.get<string>('/metrics');
    expect(res.status).toBe(200);
    expect(sample(res.body, 'stepguard_queue_jobs', { queue: PROBE_QUEUE })).toBeUndefined();
    expect(sample(res.body, 'stepguard_active_sessions')).toBe(0);
  });
});
