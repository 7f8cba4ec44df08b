/**
 * Every CLI command (the table; the interface is types.ts), in the order `--help` lists them. Adding a command = one file here and one line below. Each
 * is loaded when used (`pengawas probe tls …` does not load the scheduler, the evidence store or the other probes'
 * commands): main.ts builds only the command named on the command line, all of them for help and anything else.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- require() on use is the point: a cold CLI start loads one command */
import type * as Attest from './attest';
import type * as Check from './check';
import type * as Demo from './demo';
import type * as Evidence from './evidence';
import type * as List from './list';
import type * as Maintenance from './maintenance';
import type * as Probe from './probe';
import type * as Roles from './roles';
import type * as Rules from './rules';
import type * as Validate from './validate';
import type { CommandEntry } from './types';
import type * as Waive from './waive';

const roles = () => require('./roles') as typeof Roles;

export const COMMANDS: CommandEntry[] = [
  { name: 'run', make: () => roles().runCommand() },
  { name: 'scheduler', make: () => roles().schedulerCommand() },
  { name: 'worker', make: () => roles().workerCommand() },
  { name: 'recorder', make: () => roles().recorderCommand() },
  { name: 'demo', make: () => (require('./demo') as typeof Demo).demoCommand() },
  { name: 'validate', make: () => (require('./validate') as typeof Validate).validateCommand() },
  { name: 'list', make: () => (require('./list') as typeof List).listCommand() },
  { name: 'probe', make: () => (require('./probe') as typeof Probe).probeCommand() },
  { name: 'check', make: () => (require('./check') as typeof Check).checkCommand() },
  { name: 'evidence', make: () => (require('./evidence') as typeof Evidence).evidenceCommand() },
  { name: 'waive', make: () => (require('./waive') as typeof Waive).waiveCommand() },
  { name: 'maintenance', make: () => (require('./maintenance') as typeof Maintenance).maintenanceCommand() },
  { name: 'attest', make: () => (require('./attest') as typeof Attest).attestCommand() },
  { name: 'rules', make: () => (require('./rules') as typeof Rules).rulesCommand() },
];
