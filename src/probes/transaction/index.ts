/**
 * Probe type `transaction`: a synthetic multi-step payment flow (e.g. SNAP access token → create payment →
 * status inquiry) with variables between steps, SNAP BI / OAuth2 authentication, per-step dns/connect/tls/ttfb/
 * transfer timings, degraded/failed latency thresholds and SLO outcomes for burn-rate alerting.
 */
import { parseWebUrl, readCa, checkWebTarget } from '../../net/target';
import { defineProbe } from '../types';
import { Flow, type TransactionMeasurements } from './flow';
import { transactionOptions } from './options';

export const transactionProbe = defineProbe<typeof transactionOptions, TransactionMeasurements>({
  type: 'transaction',
  summary: 'multi-step API flow (SNAP BI signing, OAuth2), per-step timing phases, thresholds and SLOs',
  defaultElement: 'efficiency',
  timesHttp: true,
  targetHelp: 'base URL the steps are resolved against (http:// or https://)',
  checkTarget: checkWebTarget,
  options: transactionOptions,
  async run(target, o, ctx) {
    const base = parseWebUrl(target);
    const ca = o.caFile ? await readCa(o.caFile) : undefined;
    return new Flow(base, o, ctx, ca).run();
  },
});
