/** Starts the demo targets (with a private CA kept under <dataDir>/demo) and returns a handle to stop them. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCa } from './pki';
import type { DemoContext, RunningTarget } from './types';
import { DEMO_TARGETS } from './registry';

/** Where `pengawas demo` keeps its targets' files: checks/demo/*.yaml reference data/demo/... relative to the repo. */
export const DEMO_DATA_DIR = 'data';

export function demoContext(dataDir: string): DemoContext {
  const dir = path.resolve(dataDir, 'demo');
  mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca-key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const ca = createCa();
    writeFileSync(keyFile, ca.keyPem, { mode: 0o600 });
    writeFileSync(certFile, ca.certPem);
  }
  return { dir, ca: { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') } };
}

export async function startDemoTargets(dataDir: string): Promise<{ running: RunningTarget[]; stop(): Promise<void> }> {
  const ctx = demoContext(dataDir);
  const running: RunningTarget[] = [];
  const stop = async () => {
    await Promise.allSettled(running.map((r) => r.stop()));
  };
  try {
    for (const t of DEMO_TARGETS) {
      try {
        running.push(await t.start(ctx));
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new Error(
          `demo target ${t.name} could not start: ${err.code === 'EADDRINUSE' ? 'its port is in use (is another demo running?)' : err.message}`,
        );
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { running, stop };
}
