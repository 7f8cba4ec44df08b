/**
 * `npm run test:unit`: the tests that need no Redis, no PostgreSQL and no long external scan, for a quick loop
 * (about a minute on two cores). test/unit-setup.ts points Redis and PostgreSQL at a closed port, so a test in this
 * selection that reaches for either fails at once instead of passing by luck. The full suite is `npm test`.
 * The rule for the test tree (docs/architecture.md, "Tests"): unit tests of src/X live in test/X; suites that cross
 * parts live in test/e2e/ (or the feature folder that already holds them).
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  // No build needed: unit tests import src/ directly and spawn no CLI.
  globalSetup: undefined,
  setupFiles: [...base.setupFiles, '<rootDir>/test/unit-setup.ts'],
  // evidence/{coverage,percentiles} are left out: they run against both store backends, PostgreSQL included.
  testMatch: [
    '<rootDir>/test/config/{limits,settings,validate}.test.ts',
    '<rootDir>/test/dashboards/render.test.ts',
    '<rootDir>/test/probes/series.test.ts',
    '<rootDir>/test/util/*.test.ts',
    '<rootDir>/test/probes/http/{http-probe,redirect-secrets}.test.ts',
    '<rootDir>/test/probes/mfa/{entra,keycloak,login,okta}.test.ts',
    '<rootDir>/test/probes/registry.test.ts',
    '<rootDir>/test/probes/openapi/*.test.ts',
    '<rootDir>/test/probes/securitytxt/*.test.ts',
    '<rootDir>/test/probes/webpage/*.test.ts',
    '<rootDir>/test/probes/freshness/{file,http}.test.ts',
    '<rootDir>/test/probes/transaction/{flow,snap-flow}.test.ts',
    // certificate.test.ts is left out: it generates and serves dozens of certificates with openssl (slow, not unit).
    '<rootDir>/test/probes/tls/{addresses,hostile}.test.ts',
    '<rootDir>/test/e2e/conformance/{entra,keycloak,securitytxt}/*.test.ts',
    '<rootDir>/test/e2e/repository-shape.test.ts',
  ],
};
