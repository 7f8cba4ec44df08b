/**
 * A fresh process measures phases as a running monitor does. Found with bench/cli-ttfb.ts (`--trace-gc` and an
 * event-loop watch in the fresh process): loading the CLI leaves V8 a scavenge and an incremental mark-compact
 * to finish, which it runs as soon as the event loop idles, i.e. while the probe waits for the target's first
 * byte; and the HTTP client and parser run their first, uncompiled time inside the timed window. Both happen here
 * instead, before the probe starts: one loopback round trip through the same timed request (to a server of this
 * process, never the target), then a full collection. Only for probe types whose measurements time HTTP
 * (`timesHttp`); the HTTP modules load only then, so `pengawas probe tls` neither waits for it nor loads them.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded only for the probe types that need them */
import type * as Http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type * as TimedRequest from '../net/timed-request';
import type { ProbeType } from '../probes/types';

/** V8's collector, reachable without `node --expose-gc`: the flag set at run time, `gc` read from a new context. */
function collector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

async function loopbackRoundTrip(): Promise<void> {
  const http = require('node:http') as typeof Http;
  const { timedRequest } = require('../net/timed-request') as typeof TimedRequest;
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await timedRequest({ url: new URL(`http://127.0.0.1:${port}/`), timeoutMs: 2000, maxBodyBytes: 1024 });
  } catch {
    // A warm-up that fails costs nothing but the warm-up: the probe still runs and measures.
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Call once before a one-shot probe (`pengawas probe`, `pengawas check`); a few tens of ms, outside any timing. */
export async function prepareOneShot(probe: Pick<ProbeType, 'timesHttp'>): Promise<void> {
  if (!probe.timesHttp) return;
  // Off only for bench/cli-ttfb.ts, which measures the cold path with and without this preparation.
  if (process.env.PENGAWAS_ONE_SHOT_PREPARE === '0') return;
  await loopbackRoundTrip();
  collector()?.();
}
