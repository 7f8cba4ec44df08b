/** Every CLI command, in the order `--help` lists them. Adding a command = one file here and one line below. */
import type { Command } from 'commander';
import { checkCommand } from './check';
import { listCommand } from './list';
import { probeCommand } from './probe';
import { validateCommand } from './validate';

export const COMMANDS: Array<() => Command> = [validateCommand, listCommand, probeCommand, checkCommand];
