/** Runs the built CLI (`npm test` builds dist/ first) as a real child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'pengawas.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pengawas ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running CLI process (worker, scheduler, run); the caller stops it. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return Object.assign(child, { output: () => out });
}

/**
 * Starts one role (`worker`, `recorder`, `scheduler`, `run`) on a test folder laid out as `<dir>/checks/` and
 * `<dir>/settings.yaml`, with /metrics on a free port; `extra` arguments go after the role's own.
 */
export function startRole(
  role: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  o: { logLevel?: string; extra?: string[] } = {},
): ChildProcess & { output: () => string } {
  const args = [role, '--checks', path.join(dir, 'checks'), '--config', path.join(dir, 'settings.yaml'), '--metrics-port', '0'];
  return startCli([...args, '--log-level', o.logLevel ?? 'info', ...(o.extra ?? [])], env);
}
