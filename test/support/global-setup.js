// Plain JS: jest loads global setup outside its module system, so it cannot import the TypeScript sources.
// It only names this run's template database; the first test file that needs it migrates it (see postgres.ts).
export default async function globalSetup() {
  process.env.STEPGUARD_TEST_TEMPLATE = `stepguard_test_tpl_${process.pid}`;
}
