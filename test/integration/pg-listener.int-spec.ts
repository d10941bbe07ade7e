import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PgListener } from '../../src/infra/database/pg-listener.js';
import { OwnPostgres } from '../support/own-postgres.js';
import { waitUntil } from '../support/wait.js';

const CHANNEL = 'stepguard_test_channel';

/** A LISTEN connection on a PostgreSQL server this test owns, which it stops and starts again. */
describe('PgListener', () => {
  let server: OwnPostgres;
  let listener: PgListener;
  const received: string[] = [];
  const errors: string[] = [];
  let listeningAgain = 0;

  const notify = async (payload: string) => {
    const client = new pg.Client({ connectionString: server.url() });
    await client.connect();
    try {
      await client.query('select pg_notify($1, $2)', [CHANNEL, payload]);
    } finally {
      await client.end();
    }
  };
  const arrival = (payload: string) =>
    waitUntil(() => received.includes(payload), { what: `the notification "${payload}"` });

  beforeAll(async () => {
    server = await OwnPostgres.start();
    listener = new PgListener({
      url: server.url(),
      channel: CHANNEL,
      onNotification: (payload) => received.push(payload),
      onListeningAgain: () => listeningAgain++,
      onError: (error) => errors.push(error.message),
      retryMs: 100,
    });
    await listener.start();
  }, 120_000);
  afterAll(async () => {
    await listener?.stop();
    await server?.dispose();
  });

  it('hands on the notifications of its channel', async () => {
    await notify('one');
    await arrival('one');
  });

  it('listens again once PostgreSQL is back, however many attempts that takes', async () => {
    await server.stop('fast');
    await waitUntil(() => errors.filter((e) => e.includes('ECONNREFUSED')).length, {
      what: 'two refused attempts to reconnect',
      until: (refused) => refused >= 2,
    });
    expect(listeningAgain).toBe(0);
    await server.start();
    await waitUntil(() => listeningAgain, { what: 'the listener back' });
    await notify('two');
    await arrival('two');
    expect(listeningAgain).toBe(1);
  }, 60_000);
});
