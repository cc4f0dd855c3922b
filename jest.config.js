/**
 * unit: pure code beside the source (src/**\/*.spec.ts).
 * db: services and HTTP against a real database (test/**\/*.spec.ts); each test file gets its own
 *     fresh database (an SQLite file, or a MariaDB database when TEST_DATABASE_URL is mysql://...).
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
module.exports = {
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, testMatch: ['<rootDir>/src/**/*.spec.ts'], setupFiles: ['<rootDir>/test/helpers/env.ts'] },
    {
      displayName: 'db',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/helpers/env.ts'],
      slowTestThreshold: 30,
    },
  ],
  testTimeout: 60000,
};
