// The pengawas side of bench:latency, in its own long-lived process running the built code (dist/), as a worker
// runs probes and as blackbox_exporter runs in its own process: the driver's bookkeeping (fetches, JSON, the
// server's reports) then cannot land in pengawas's measurements. Takes `{ url }` over IPC, runs the real
// transaction probe, replies with its phases.
'use strict';
const os = require('node:os');
const { transactionProbe } = require('../../dist/probes/transaction');

async function measure(url) {
  const base = new URL(url);
  const options = transactionProbe.options.parse({ steps: [{ name: 'bench', url: `${base.pathname}${base.search}` }] });
  const out = await transactionProbe.run(base.origin, options, {
    signal: new AbortController().signal,
    timeoutMs: 5000,
    dataDir: os.tmpdir(),
    checkId: 'bench',
  });
  const bad = out.findings.filter((f) => f.status !== 'pass');
  if (bad.length > 0) throw new Error(`pengawas probe did not pass: ${JSON.stringify(bad)}`);
  const p = out.measurements.steps[0].phasesMs;
  return { ttfb: p.ttfb, transfer: p.transfer, total: p.total };
}

process.on('message', (msg) => {
  measure(msg.url).then(
    (sample) => process.send({ sample }),
    (e) => process.send({ error: e.message }),
  );
});
process.on('disconnect', () => process.exit(0));
