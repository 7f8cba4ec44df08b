/**
 * Cheap checks before a monitor connects to anything: the data directory is writable and the metrics port is
 * free. Failing here takes milliseconds; failing after Redis and the evidence store are open takes seconds and
 * leaves more to undo. The real bind later is still explained if another process takes the port meanwhile.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Settings } from '../config/settings';
import { explainStartupError } from './startup-error';

function portIsFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve()));
  });
}

/** Throws an explained StartupError when the data directory or the metrics port cannot be used. */
export async function preflight(s: Settings): Promise<void> {
  try {
    const dir = path.resolve(s.dataDir);
    mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.pengawas-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    if (s.metrics.port !== 0) await portIsFree(s.metrics.port, s.metrics.host);
  } catch (err) {
    throw explainStartupError(err, s);
  }
}
