// The running monitor's side of bench:cli-ttfb: one long-lived process on the built code (dist/) that runs the
// http probe through the runner, as a worker does, each time the driver asks over IPC; replies with its phases.
'use strict';
const os = require('node:os');
const { adHocCheck } = require('../../dist/probes/ad-hoc');
const { runCheck } = require('../../dist/probes/runner');

process.on('message', (msg) => {
  runCheck(adHocCheck({ type: 'http', target: msg.url, timeoutMs: 5000 }), { dataDir: os.tmpdir() }).then(
    (r) => process.send({ status: r.status, phasesMs: r.measurements.phasesMs }),
    (e) => process.send({ error: e.message }),
  );
});
process.on('disconnect', () => process.exit(0));
