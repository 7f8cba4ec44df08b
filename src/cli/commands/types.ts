/** What a CLI command is (the interface; the table is registry.ts, one file per command beside it). */
import type { Command } from 'commander';

/** Builds the command, its options and its action; called once per program (main.ts adds it). */
export type CommandFactory = () => Command;

/** One row of the table: the command's name as typed, and how to build it, loaded only when used. */
export interface CommandEntry {
  name: string;
  make: CommandFactory;
}
