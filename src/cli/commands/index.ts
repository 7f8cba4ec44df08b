/** Every CLI command, in the order `--help` lists them. Adding a command = one file here and one line below. */
import type { Command } from 'commander';
import { attestCommand } from './attest';
import { checkCommand } from './check';
import { demoCommand } from './demo';
import { evidenceCommand } from './evidence';
import { listCommand } from './list';
import { maintenanceCommand } from './maintenance';
import { probeCommand } from './probe';
import { recorderCommand, runCommand, schedulerCommand, workerCommand } from './roles';
import { rulesCommand } from './rules';
import { validateCommand } from './validate';
import { waiveCommand } from './waive';

export const COMMANDS: Array<() => Command> = [
  runCommand,
  schedulerCommand,
  workerCommand,
  recorderCommand,
  demoCommand,
  validateCommand,
  listCommand,
  probeCommand,
  checkCommand,
  evidenceCommand,
  waiveCommand,
  maintenanceCommand,
  attestCommand,
  rulesCommand,
];
