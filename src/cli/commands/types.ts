/** What a CLI command is (the interface; the table is registry.ts, one file per command beside it). */
import type { Command } from 'commander';

/** Builds the command, its options and its action; called once per program (main.ts adds it). */
export type CommandFactory = () => Command;
