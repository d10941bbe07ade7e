// One jest config, three projects (STYLE.md). Native ESM: NestJS 12 and MikroORM 7 ship ES modules only,
// so test files are compiled by swc to ES modules and run under --experimental-vm-modules.
import { SWC_OPTIONS } from './test/support/swc-options.js';

const swc = ['@swc/jest', SWC_OPTIONS];

const shared = {
  transform: { '^.+\\.ts$': swc },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  // dist/ holds a copy of package.json (the build's): jest would find two packages named stepguard.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

export default {
  testTimeout: 30000,
  globalSetup: './test/support/global-setup.js',
  globalTeardown: './test/support/global-teardown.js',
  maxWorkers: process.env.CI ? 2 : '50%',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
