/** Tests talk to real Redis, PostgreSQL and servers they start; see test/helpers. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
    // PGlite's CommonJS build loads node modules with import(), which jest's VM refuses without
    // --experimental-vm-modules; compiling it turns those into require().
    '/@electric-sql/pglite/dist/.+\\.cjs$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  setupFiles: ['<rootDir>/test/setup.ts'],
  // Rebuilds dist/ when src/ is newer, so CLI tests never run a stale build.
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
