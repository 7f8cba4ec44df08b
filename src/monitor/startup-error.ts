/**
 * Start-up failures as one line an operator can act on: which port or path, and what to do. The CLI prints
 * the message and exits 2; a raw `listen EADDRINUSE` stack trace tells an operator neither.
 */
import path from 'node:path';
import type { Settings } from '../config/settings';
import { ConfigError, PengawasError, RedisUnavailableError } from '../errors';

export class StartupError extends PengawasError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PENGAWAS_STARTUP', message, options);
  }
}

interface SysError {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
  message?: string;
  cause?: unknown;
}

const FILE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EISDIR', 'ELOOP']);

/** The first error in the `cause` chain that carries a system error code. */
function sysErrorIn(err: unknown): SysError | undefined {
  for (
    let e = err as SysError | undefined, depth = 0;
    e && typeof e === 'object' && depth < 8;
    e = e.cause as SysError | undefined, depth++
  ) {
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

function inDataDir(s: Settings, p: string | undefined): boolean {
  if (!p) return false;
  const rel = path.relative(path.resolve(s.dataDir), path.resolve(p));
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Turns what went wrong while starting into an error whose message is one actionable line. */
export function explainStartupError(err: unknown, s: Settings): unknown {
  if (err instanceof ConfigError) return err;
  const sys = sysErrorIn(err);
  if (sys?.syscall === 'listen' || sys?.syscall === 'bind') {
    const where = `${s.metrics.host}:${sys.port ?? s.metrics.port}`;
    if (sys.code === 'EADDRINUSE') {
      return new StartupError(
        `metrics port ${sys.port ?? s.metrics.port} (${where}) is already in use: stop the process holding it (ss -ltnp 'sport = :${sys.port ?? s.metrics.port}') or choose another port with --metrics-port or metrics.port in the settings file`,
        { cause: err },
      );
    }
    if (sys.code === 'EACCES') {
      return new StartupError(
        `no permission to listen on metrics port ${where}: ports below 1024 need privileges; choose a port from 1024 up with --metrics-port or metrics.port`,
        { cause: err },
      );
    }
    if (sys.code === 'EADDRNOTAVAIL') {
      return new StartupError(
        `metrics.host "${s.metrics.host}" is not an address of this machine: use 0.0.0.0, 127.0.0.1 or one of its interface addresses`,
        { cause: err },
      );
    }
    return new StartupError(`cannot listen on metrics port ${where} (${sys.code}): ${firstLine(sys.message ?? '')}`, { cause: err });
  }
  if (sys && FILE_CODES.has(sys.code!)) {
    const p = sys.path ?? s.dataDir;
    const what =
      sys.code === 'ENOSPC'
        ? 'has no space left'
        : sys.code === 'ENOTDIR'
          ? 'is not a folder (a file is in the way)'
          : 'is not writable by this user';
    const fix =
      inDataDir(s, p) || !sys.path
        ? `make ${path.resolve(s.dataDir)} writable by this user (uid ${process.getuid?.() ?? '?'}) or set PENGAWAS_DATA_DIR (dataDir in the settings file) to a writable folder`
        : `fix the permissions of ${p}`;
    return new StartupError(`data directory: ${p} ${what} (${sys.code}): ${fix}`, { cause: err });
  }
  if (err instanceof RedisUnavailableError && !/REDIS_URL/.test(err.message)) {
    return new RedisUnavailableError(`${firstLine(err.message)} — start that Redis, or set REDIS_URL to one that runs`);
  }
  if (err instanceof PengawasError) {
    return firstLine(err.message) === err.message ? err : new StartupError(firstLine(err.message), { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new StartupError(`could not start: ${firstLine(message)}`, { cause: err });
}
