import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { ormConfig } from '../../src/infra/database/orm-config.js';
import { runMigrations } from '../../src/infra/database/migrate.js';
import { PgListener } from '../../src/infra/database/pg-listener.js';
import { OwnPostgres } from '../support/own-postgres.js';
import { TestCa } from '../support/test-pki.js';
import { waitUntil } from '../support/wait.js';

const ENCRYPTED = 'select ssl as encrypted from pg_stat_ssl where pid = pg_backend_pid()';

/**
 * A server that takes TLS only, as CloudNativePG and most managed services do: the TLS parameters of
 * DATABASE_URL (`sslmode=verify-full&sslrootcert=…`) reach every connection the app makes.
 */
describe('DATABASE_URL with TLS', () => {
  let ca: TestCa;
  let stranger: TestCa;
  let server: OwnPostgres;
  let url: string;

  beforeAll(async () => {
    ca = await TestCa.create('stepguard-test-pg-ca');
    stranger = await TestCa.create('stepguard-test-other-ca');
    server = await OwnPostgres.start({ tls: { server: await ca.server('postgres'), caFile: ca.root.certFile } });
    url = await server.createDatabase('stepguard_test_tls');
  }, 120_000);
  afterAll(async () => {
    await server?.dispose();
    await ca?.dispose();
    await stranger?.dispose();
  });

  const withOrm = async <T>(databaseUrl: string, work: (orm: MikroORM) => Promise<T>): Promise<T> => {
    const orm = await MikroORM.init(ormConfig({ url: databaseUrl, poolMax: 2 }));
    try {
      return await work(orm);
    } finally {
      await orm.close(true);
    }
  };

  it('migrates and queries over TLS, through the pool the app uses', async () => {
    expect(await runMigrations(url)).not.toEqual([]);
    const rows = await withOrm(url, (orm) => orm.em.fork().execute(ENCRYPTED));
    expect(rows).toEqual([{ encrypted: true }]);
  });

  it('listens over TLS', async () => {
    const received: string[] = [];
    const listener = new PgListener({
      url,
      channel: 'stepguard_tls_test',
      onNotification: (payload) => received.push(payload),
      onListeningAgain: () => undefined,
      onError: () => undefined,
    });
    await listener.start();
    try {
      const notifier = new pg.Client({ connectionString: url });
      await notifier.connect();
      await notifier.query(`select pg_notify('stepguard_tls_test', 'over tls')`).finally(() => notifier.end());
      await waitUntil(() => received, { what: 'the notification', until: (r) => r.includes('over tls') });
    } finally {
      await listener.stop();
    }
  });

  it('is refused without TLS, and refuses a server its CA did not sign', async () => {
    const plain = new URL(url);
    plain.search = '';
    await expect(withOrm(plain.toString(), (orm) => orm.em.fork().execute('select 1'))).rejects.toThrow(
      /no encryption/,
    );
    const wrongCa = new URL(url);
    wrongCa.searchParams.set('sslrootcert', stranger.root.certFile);
    await expect(withOrm(wrongCa.toString(), (orm) => orm.em.fork().execute('select 1'))).rejects.toThrow(
      /self-signed certificate|unable to verify|unable to get local issuer/,
    );
  });
});
