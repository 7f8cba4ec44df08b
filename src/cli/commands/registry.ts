/** Every CLI command (the table), in the order `--help` lists them. Adding a command = one file here and one line below. */
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
import type { CommandFactory } from './types';
import { waiveCommand } from './waive';

export const COMMANDS: CommandFactory[] = [
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
