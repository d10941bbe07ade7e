import pg from 'pg';

export default async function globalTeardown() {
  const template = process.env.STEPGUARD_TEST_TEMPLATE;
  if (!template || !/^stepguard_test_tpl_\d+$/.test(template)) return;
  const client = new pg.Client({
    connectionString: process.env.STEPGUARD_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  });
  await client.connect();
  try {
    await client.query(`drop database if exists ${template} with (force)`);
  } finally {
    await client.end();
  }
}
