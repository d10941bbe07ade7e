import { COMMANDS } from './commands/index.js';

export function usage(): string {
  const lines = COMMANDS.map((c) => `  ${[...c.words, c.usage].filter(Boolean).join(' ')}\n      ${c.summary}`);
  return [
    'usage: npm run stepguard -- <command> [flags]',
    '',
    'commands:',
    ...lines,
    '',
    'Configuration comes from the environment, as for the server (DATABASE_URL, REDIS_URL, …).',
    'Exit codes: 0 done, 1 refused or failed, 2 usage error.',
  ].join('\n');
}
