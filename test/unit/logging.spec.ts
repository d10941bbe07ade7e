import { describe, expect, it } from '@jest/globals';
import type { DestinationStream } from 'pino';
import { NestPinoLogger } from '../../src/infra/logging/nest-pino-logger.js';
import { createPinoLogger } from '../../src/infra/logging/pino-logger.js';
import { redactUrl } from '../../src/infra/logging/redaction.js';

function capture() {
  const lines: Record<string, any>[] = [];
  const stream: DestinationStream = { write: (chunk: string) => void lines.push(JSON.parse(chunk)) };
  return { lines, logger: createPinoLogger({ LOG_LEVEL: 'debug' }, stream) };
}

describe('log redaction', () => {
  it('censors secret fields at the top level and nested a few levels down', () => {
    const { lines, logger } = capture();
    logger.info({
      password: 'p1',
      body: { newPassword: 'p2', factor: { secret: 'JBSWY3DP', code: '123456' } },
      apiKey: { key: 'sgk_abc' },
      a: { b: { c: { token: 'sgs_deep' } } },
      email: 'kept@example.com',
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of ['p1', 'p2', 'JBSWY3DP', '123456', 'sgk_abc', 'sgs_deep']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      email: 'kept@example.com',
      body: { factor: { code: '[redacted]' } },
    });
  });

  it('censors the authorization and cookie headers of a request', () => {
    const { lines, logger } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer sgs_x', cookie: 'sid=1', 'user-agent': 'curl' } } });
    expect(lines[0]!.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', 'user-agent': 'curl' });
  });

  it('censors the remembered-device token as a header and as a body field', () => {
    const { lines, logger } = capture();
    logger.debug({ req: { headers: { 'x-stepguard-device': 'sgd_header' } }, body: { deviceToken: 'sgd_body' } });
    expect(JSON.stringify(lines[0])).not.toMatch(/sgd_/);
    expect(lines[0]!.req.headers['x-stepguard-device']).toBe('[redacted]');
  });

  it('censors secret query parameters in a URL and leaves the others', () => {
    expect(redactUrl('/v1/x?token=abc&limit=10&Code=9')).toBe(
      '/v1/x?token=%5Bredacted%5D&limit=10&Code=%5Bredacted%5D',
    );
    expect(redactUrl('/v1/admin/audit?after=5')).toBe('/v1/admin/audit?after=5');
  });

  it('writes at the configured level and above only', () => {
    const lines: string[] = [];
    const logger = createPinoLogger({ LOG_LEVEL: 'warn' }, { write: (chunk: string) => void lines.push(chunk) });
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['loud']);
  });
});

describe("Nest's logger on pino", () => {
  it('maps Nest levels and keeps the context', () => {
    const { lines, logger } = capture();
    const nest = new NestPinoLogger(logger);
    nest.log('mapped routes', 'RouterExplorer');
    nest.verbose?.('fine detail', 'Db');
    nest.warn('careful');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      ['info', 'mapped routes', 'RouterExplorer'],
      ['warn', 'careful', undefined],
    ]);
  });

  it('tells a stack from a context in error(message, stack?, context?)', () => {
    const { lines, logger } = capture();
    const nest = new NestPinoLogger(logger);
    const stack = 'Error: boom\n    at somewhere (file.ts:1:1)';
    nest.error('boom', stack, 'ProblemFilter');
    nest.error('boom', stack);
    nest.error('boom', 'ProblemFilter');
    expect(lines.map((l) => [l.level, l.stack, l.context])).toEqual([
      ['error', stack, 'ProblemFilter'],
      ['error', stack, undefined],
      ['error', undefined, 'ProblemFilter'],
    ]);
  });

  it('logs an Error message with its serialized error', () => {
    const { lines, logger } = capture();
    new NestPinoLogger(logger).error(new Error('kaput'), undefined, 'Boot');
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'kaput', context: 'Boot', err: { message: 'kaput' } });
  });
});
