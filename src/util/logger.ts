/** Structured JSON logs (pino) on stderr, so stdout stays for command output (`--json`). Never log secrets. */
import pino, { type Logger } from 'pino';

export type { Logger };

let root: Logger = pino(
  { level: process.env.PENGAWAS_LOG_LEVEL ?? 'info', base: { app: 'pengawas' } },
  pino.destination({ fd: 2, sync: true }),
);

export function logger(): Logger {
  return root;
}

export function setLogLevel(level: string): void {
  root.level = level;
}

/** For tests: route logs elsewhere (or silence them). */
export function setLogger(l: Logger): void {
  root = l;
}
