/** The `pengawas` command line. Exit codes: 0 ok, 1 a check failed (or warned), 2 usage, config or probe error. */
import { Command, CommanderError } from 'commander';
import { ConfigError, PengawasError } from '../errors';
import { logger } from '../util/logger';
import { COMMANDS } from './commands/registry';
import { EXIT } from './output';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require('../../package.json') as { version: string }).version;

/** The program with every command, or with `only` alone when it names one (a cold start then loads one command). */
export function buildProgram(only?: string): Command {
  const program = new Command('pengawas')
    .description('Continuous security and operations monitor for Indonesian payment-system operators (PJP)')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  const named = COMMANDS.filter((c) => c.name === only);
  for (const c of named.length ? named : COMMANDS) program.addCommand(c.make().exitOverride());
  return program;
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`pengawas: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof PengawasError) {
    process.stderr.write(`pengawas: ${err.code}: ${err.message}\n`);
    return EXIT.usage;
  }
  logger().error({ err }, 'unexpected error');
  process.stderr.write(`pengawas: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.usage;
}

/**
 * A reader that goes away (`pengawas list | head -1`) closes the pipe: stop quietly, as Unix tools do, with the exit
 * code the command already decided (a probe sets it before printing), instead of an EPIPE stack trace.
 */
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(process.exitCode ?? EXIT.ok);
      throw err;
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  try {
    await buildProgram(argv[0]).parseAsync(argv, { from: 'user' });
  } catch (err) {
    // Exit now: a failed start may leave handles (sockets, timers, watchers) that would keep the process idling.
    process.exit(reportError(err));
  }
}
