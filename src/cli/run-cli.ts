import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app/app.module.js';
import type { AppConfig } from '../common/app-config.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Invocation, UsageError } from './cli-command.js';
import { describeFailure } from './describe-failure.js';
import { parseInvocation } from './parse-invocation.js';
import { usage } from './usage.js';

/** The resolved configuration and what stopping it takes (embedded database, spawned redis-server). */
export interface CliRuntime {
  config: AppConfig;
  stop(): Promise<void>;
}

export interface CliIo {
  /** The configuration, or how to resolve it: only done once the command line is known to be valid. */
  config: AppConfig | (() => Promise<CliRuntime>);
  out(line: string): void;
  err(line: string): void;
  /** What a standalone command reads its few settings from; process.env unless given. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The operator CLI, in process: runs one command line and returns its exit code (0 done, 1 refused
 * or failed, 2 usage error). Commands go through the same CommandBus as the HTTP API.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let invocation: Invocation;
  try {
    const parsed = parseInvocation(argv);
    if (parsed === 'help') {
      io.out(usage());
      return EXIT_OK;
    }
    invocation = parsed;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`error: ${error.message}`);
    io.err(usage());
    return EXIT_USAGE;
  }
  if (invocation.standalone) {
    try {
      return await invocation.task({ env: io.env ?? process.env, out: io.out });
    } catch (error) {
      io.err(describeFailure(error));
      return EXIT_FAILURE;
    }
  }
  const { task } = invocation;
  let runtime: CliRuntime | undefined;
  let context: Promise<INestApplicationContext> | undefined;
  try {
    runtime = typeof io.config === 'function' ? await io.config() : { config: io.config, stop: async () => undefined };
    const { config } = runtime;
    return await task({ config, app: () => (context ??= createContext(config)), out: io.out });
  } catch (error) {
    io.err(describeFailure(error));
    return EXIT_FAILURE;
  } finally {
    await context?.then(
      (app) => app.close(),
      () => undefined,
    );
    await runtime?.stop();
  }
}

function createContext(config: AppConfig): Promise<INestApplicationContext> {
  // abortOnError: false, so a failed start is reported here instead of ending the process.
  return NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false, abortOnError: false });
}
