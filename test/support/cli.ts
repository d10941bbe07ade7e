import type { AppConfig } from '../../src/common/app-config.js';
import { runCli } from '../../src/cli/run-cli.js';

/** Runs one CLI command line in process against `config`, capturing what it prints. */
export async function cli(config: AppConfig, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { config, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
