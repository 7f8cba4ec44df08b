/**
 * Structured JSON logs (pino) on stderr, so stdout stays for command output (`--json`). Never log secrets. pino is
 * loaded with the first log line: a one-shot command that logs nothing (`pengawas probe tls …`) does not load it.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- require() on first use, see above */
import type pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

let root: Logger | undefined;
/** pino's levels, in the settings (`logLevel`), `--log-level` and PENGAWAS_LOG_LEVEL. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export function isLogLevel(v: string): v is (typeof LOG_LEVELS)[number] {
  return (LOG_LEVELS as readonly string[]).includes(v);
}

// An unknown PENGAWAS_LOG_LEVEL is reported by the settings loader (naming the variable); here it must not make the
// first log line throw, wherever that happens.
const fromEnv = process.env.PENGAWAS_LOG_LEVEL;
let level: string = fromEnv && isLogLevel(fromEnv) ? fromEnv : 'info';

function create(): Logger {
  const make = require('pino') as typeof pino;
  return make({ level, base: { app: 'pengawas' } }, make.destination({ fd: 2, sync: true }));
}

export function logger(): Logger {
  return (root ??= create());
}

export function setLogLevel(next: string): void {
  level = next;
  if (root) root.level = next;
}

/** For tests: route logs elsewhere (or silence them). */
export function setLogger(l: Logger): void {
  root = l;
}
