import type { INestApplicationContext } from '@nestjs/common';
import type { ParseArgsOptionsConfig } from 'node:util';
import type { Actor } from '../common/actor.js';
import type { AppConfig } from '../common/app-config.js';

/** Who the audit log names for everything done from the command line. */
export const CLI_ACTOR: Actor = { type: 'operator', id: 'cli' };

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A command line that cannot be run as typed: reported with the usage, exit code 2. */
export class UsageError extends Error {}

export type Flags = Record<string, string | boolean | undefined>;

/** What a command runs with; the Nest application context is only created when a command asks for it. */
export interface CliRun {
  config: AppConfig;
  app(): Promise<INestApplicationContext>;
  out(line: string): void;
}

export type CliTask = (run: CliRun) => Promise<number>;

/** What a standalone command runs with: the environment as given, and no configuration resolved from it. */
export interface StandaloneRun {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
}

export type StandaloneTask = (run: StandaloneRun) => Promise<number>;

interface CommandLine {
  words: readonly string[];
  /** The flags part of the usage line. */
  usage: string;
  summary: string;
  options: ParseArgsOptionsConfig;
  /** Names of the arguments after the words (`['id']` for `audit-streams remove <id>`); none by default. */
  positionals?: readonly string[];
}

export interface CliCommand extends CommandLine {
  standalone?: false;
  /**
   * Checks the flags and arguments before anything starts (UsageError on a bad one) and returns the work
   * to do. `args` holds exactly the `positionals` named.
   */
  prepare(flags: Flags, args: readonly string[]): CliTask;
}

/**
 * A command that needs neither the database, Redis nor keys (`cluster-check` talks only HTTP): no
 * configuration is resolved for it, so no embedded default starts and production settings are not required.
 */
export interface StandaloneCliCommand extends CommandLine {
  standalone: true;
  prepare(flags: Flags, args: readonly string[]): StandaloneTask;
}

export type AnyCliCommand = CliCommand | StandaloneCliCommand;

/** The work a valid command line asks for. */
export type Invocation = { standalone: false; task: CliTask } | { standalone: true; task: StandaloneTask };
