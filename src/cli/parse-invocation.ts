import { parseArgs } from 'node:util';
import { type Invocation, UsageError } from './cli-command.js';
import { COMMANDS } from './commands/index.js';

/** `help`, or the task the command line asks for; a UsageError when it asks for nothing we know. */
export function parseInvocation(argv: readonly string[]): 'help' | Invocation {
  if (argv.length === 0) throw new UsageError('no command given');
  if (['help', '--help', '-h'].includes(argv[0]!)) return 'help';
  const command = COMMANDS.find((c) => c.words.every((word, i) => argv[i] === word));
  if (!command) throw new UsageError(`unknown command: ${argv.slice(0, 2).join(' ')}`);
  const names = command.positionals ?? [];
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv.slice(command.words.length)],
      options: command.options,
      strict: true,
      allowPositionals: names.length > 0,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (error) {
    // node's messages go on to explain `--`; the first sentence is the part that helps here.
    throw new UsageError(`${command.words.join(' ')}: ${(error as Error).message.split('. ')[0]}`);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`${command.words.join(' ')}: Unexpected argument '${positionals[names.length]}'`);
  }
  if (positionals.length < names.length) {
    throw new UsageError(`${command.words.join(' ')}: expected ${names.map((name) => `<${name}>`).join(' ')}`);
  }
  return command.standalone
    ? { standalone: true, task: command.prepare(values, positionals) }
    : { standalone: false, task: command.prepare(values, positionals) };
}
