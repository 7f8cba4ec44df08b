/** Dependency rules (`npm run deps`): no cycles, and the one direction of docs/architecture.md ("Layers"). */
const BASE = ['^src/util/', '^src/net/', '^src/errors\\.ts$', '^src/elements\\.ts$'];
const dirs = (...names) => `^src/(${names.join('|')})/`;

/** `from` may not import any of `to` (folders under src/). */
const upward = (name, from, to, comment) => ({ name, severity: 'error', comment, from: { path: from }, to: { path: dirs(...to) } });

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only ones included: every module can be read (and tested) after what it uses.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'base-imports-only-base',
      severity: 'error',
      comment: 'Layer 0 (util, net, errors.ts, elements.ts) knows nothing of checks, results, probes or the pipeline.',
      from: { path: BASE },
      to: { path: '^src/', pathNot: BASE },
    },
    {
      name: 'results-contract-only',
      severity: 'error',
      comment: 'Layer 1: the result contract, stream and sink interface use only layer 0 and the check model of config.',
      from: { path: '^src/results/' },
      to: { path: '^src/', pathNot: [...BASE, '^src/results/', '^src/config/(check|secrets|settings)\\.ts$'] },
    },
    {
      name: 'probes-below-pipeline',
      severity: 'error',
      comment:
        'Layer 2: a probe sees the check (config/check.ts), secret references (config/secrets.ts), the result contract and layer 0; ' +
        'never the queue, recorder, metrics, monitor or CLI. The attestation probe alone reads the evidence store, through the ' +
        'registration in evidence/access.ts (see the next rule).',
      from: { path: '^src/probes/' },
      to: {
        path: '^src/',
        pathNot: [
          ...BASE,
          '^src/probes/',
          '^src/results/contract\\.ts$',
          '^src/config/(check|secrets)\\.ts$',
          '^src/evidence/(access|attestations)\\.ts$',
        ],
      },
    },
    {
      name: 'only-attestation-probe-reads-evidence',
      severity: 'error',
      from: { path: '^src/probes/', pathNot: '^src/probes/attestation/' },
      to: { path: '^src/evidence/' },
    },
    upward(
      'config-below-sinks',
      '^src/config/',
      ['evidence', 'metrics', 'recorder', 'scheduler', 'monitor', 'cli', 'demo', 'alerting', 'dashboards'],
      'Layer 3: config loads checks and validates their options against the probe registry; it does not know who runs them.',
    ),
    {
      name: 'config-uses-queue-only-for-endpoints',
      severity: 'error',
      comment: 'config/redis-settings.ts parses Redis endpoints with queue/redis-endpoint.ts (a pure parser); nothing else of the queue.',
      from: { path: '^src/config/' },
      to: { path: '^src/queue/', pathNot: '^src/queue/redis-endpoint\\.ts$' },
    },
    upward(
      'metrics-is-a-sink',
      '^src/metrics/',
      ['evidence', 'recorder', 'queue', 'scheduler', 'monitor', 'cli', 'demo'],
      'Layer 4: metrics is a result sink; it does not call the pipeline or the evidence store.',
    ),
    upward(
      'evidence-is-a-sink',
      '^src/evidence/',
      ['metrics', 'recorder', 'queue', 'scheduler', 'monitor', 'cli', 'demo', 'probes'],
      'Layer 4: the evidence store is a result sink; it reports its health and pack builds through callbacks the root wires.',
    ),
    upward(
      'recorder-knows-only-sinks',
      '^src/recorder/',
      ['evidence', 'queue', 'scheduler', 'monitor', 'cli', 'demo', 'probes'],
      'Layer 5: the recorder writes results to the ResultSink list it is given (results/sink.ts); it imports no sink.',
    ),
    upward(
      'queue-below-root',
      '^src/queue/',
      ['evidence', 'recorder', 'scheduler', 'monitor', 'cli', 'demo'],
      'Layer 5: queue and worker.',
    ),
    upward(
      'scheduler-below-root',
      '^src/scheduler/',
      ['evidence', 'recorder', 'monitor', 'cli', 'demo', 'probes'],
      'Layer 5: the scheduler.',
    ),
    upward(
      'generated-artefacts-are-static',
      '^src/(alerting|dashboards)/',
      ['evidence', 'metrics', 'recorder', 'queue', 'scheduler', 'monitor', 'cli', 'demo'],
      'Alert rules and dashboards are generated from the configuration, never from the running pipeline.',
    ),
    upward(
      'root-below-cli',
      '^src/monitor/',
      ['cli', 'demo'],
      'Layer 6: src/monitor/monitor.ts is the one composition root; the CLI calls it.',
    ),
    upward(
      'demo-below-cli',
      '^src/demo/',
      ['cli', 'monitor'],
      'The demo targets are servers of their own; the CLI starts them next to the monitor.',
    ),
    {
      name: 'only-cli-imports-cli',
      severity: 'error',
      comment: 'Layer 7: the CLI is the top; nothing imports it.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'src-not-to-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|chaos)/' },
    },
    {
      name: 'src-not-to-dev-deps',
      severity: 'error',
      comment:
        'The shipped code (dist/) may not need a devDependency at run time. src/dashboards/ is not shipped: it runs at build ' +
        'time only (npx tsx src/dashboards/build.ts writes grafana/dashboards/*.json), tsconfig.build.json leaves it out of ' +
        'dist/, and the next rule keeps the rest of src/ from importing it; it builds with the Grafana Foundation SDK.',
      from: { path: '^src/', pathNot: '^src/dashboards/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'dashboards-are-build-time-only',
      severity: 'error',
      comment: 'Nothing shipped imports the dashboard generator (it needs a devDependency and is not in dist/).',
      from: { path: '^src/', pathNot: '^src/dashboards/' },
      to: { path: '^src/dashboards/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
  },
};
