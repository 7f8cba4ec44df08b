/** Spawns the CLI from source with tsx (never a stale dist/), and measures how long a process takes to exit. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(__dirname, 'cli-entry.ts');

export type SourceProc = ChildProcess & {
  output: () => string;
  messageAt: () => number | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
};

/** Starts `pengawas <args>` from source; `wrap` prefixes the command (e.g. setpriv to run as another user). */
export function spawnSource(args: string[], env: NodeJS.ProcessEnv = {}, wrap: string[] = []): SourceProc {
  const cmd = [...wrap, process.execPath, '--import', 'tsx', ENTRY, ...args];
  const child = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, env: { ...process.env, PENGAWAS_LOG_LEVEL: 'info', ...env } });
  let out = '';
  let messageAt: number | undefined;
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => {
    out += d;
    if (messageAt === undefined && messageLines(out).length > 0) messageAt = Date.now();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return Object.assign(child, { output: () => out, messageAt: () => messageAt, exited });
}

/** The lines pengawas itself wrote to stderr (not the JSON log lines). */
export function messageLines(output: string): string[] {
  return output.split('\n').filter((l) => l.startsWith('pengawas:'));
}
