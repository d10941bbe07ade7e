import 'reflect-metadata';
import { loadEnv } from '../../config/index.js';
import { resolveRuntime } from '../bootstrap/resolve-runtime.js';
import { runCli } from './run-cli.js';

const err = (line: string) => process.stderr.write(`${line}\n`);

// Embedded defaults as for the server; their log lines go to stderr, so stdout carries only results.
process.exitCode = await runCli(process.argv.slice(2), {
  config: () => resolveRuntime(loadEnv(), err),
  out: (line) => process.stdout.write(`${line}\n`),
  err,
});
