/** The metrics registry as a result sink; the composition root wires it after every durable sink. */
import type { ResultSink } from '../results/sink';
import type { Metrics } from './definitions';

/**
 * Counters are not idempotent, so this sink must come last in the recorder's list: the recorder writes a result to
 * its sinks in order and stops at the first failure, so metrics move only once every durable sink holds the result
 * (a result that failed elsewhere is redelivered and counted then, once).
 */
export function metricsSink(metrics: Metrics): ResultSink {
  return {
    name: 'metrics',
    write: (result) => {
      metrics.record(result);
      return Promise.resolve();
    },
  };
}
