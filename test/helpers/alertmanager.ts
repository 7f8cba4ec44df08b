/**
 * A real Alertmanager (Debian's prometheus-alertmanager, clustering off, loopback only) running our
 * config/alertmanager/alertmanager.yml rendered by render.sh, with every receiver URL pointed at a local sink.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './cli';
import { freePort } from './net';
import { stopChild } from './prometheus';

export const AM_DIR = path.join(ROOT, 'config', 'alertmanager');

export interface RunningAlertmanager {
  url: string;
  /** host:port, for Prometheus' alerting config. */
  address: string;
  stop(): Promise<void>;
}

/** `sinkUrl` receives every notification: /webhook, /slack, /pagerduty (e-mail goes to its SMTP port and fails). */
export async function startAlertmanager(
  sinkUrl: string,
  sinkPort: number,
  transform: (yaml: string) => string = (y) => y,
): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-am-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const line of readFileSync(path.join(AM_DIR, 'example.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  Object.assign(env, {
    ALERT_WEBHOOK_URL: `${sinkUrl}/webhook`,
    SLACK_WEBHOOK_URL: `${sinkUrl}/slack`,
    PAGERDUTY_URL: `${sinkUrl}/pagerduty`,
    SMTP_SMARTHOST: `127.0.0.1:${sinkPort}`,
  });
  const file = path.join(dir, 'am.yml');
  execFileSync('sh', [path.join(AM_DIR, 'render.sh'), path.join(AM_DIR, 'alertmanager.yml'), file], { env });
  writeFileSync(file, transform(readFileSync(file, 'utf8')));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const am: ChildProcess = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${file}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    await stopChild(am, 5000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // starting
    }
    if (am.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error('alertmanager did not start');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, address: `127.0.0.1:${port}`, stop };
}
