import { CommandBus } from '@nestjs/cqrs';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  AuditSinkViews,
  CreateAuditSinkCommand,
  createAuditSinkSchema,
  SINK_KINDS,
  type SinkKind,
} from '../../audit/index.js';
import { NO_REQUEST } from '../../common/actor.js';
import { CLI_ACTOR, type CliCommand, EXIT_OK, type Flags, UsageError } from '../cli-command.js';
import { destinationOf } from '../describe-sink.js';
import { optionalFlag, requiredFlag, validInput } from '../flags.js';

const COMMON_FLAGS = ['kind', 'name', 'format', 'batch-size', 'start-at'];
const FLAGS_OF: Record<SinkKind, readonly string[]> = {
  webhook: ['url'],
  syslog: ['host', 'port', 'ca', 'pin', 'client-cert', 'client-key', 'servername'],
  splunk_hec: ['url', 'token-file', 'index', 'source', 'sourcetype', 'ack'],
};
/** The request body's fields named as flags, for the messages of the API's own validation. */
const FLAG_OF_FIELD: Record<string, string> = {
  batchSize: 'batch-size',
  startAt: 'start-at',
  pinnedSha256: 'pin',
  clientCert: 'client-cert',
  clientKey: 'client-key',
  token: 'token-file',
};

export const auditStreamsAdd: CliCommand = {
  words: ['audit-streams', 'add'],
  usage:
    '--kind webhook|syslog|splunk_hec (--url U | --host H) [--name N] [--format F] [--batch-size N] ' +
    '[--start-at beginning|now]',
  summary:
    "add a platform audit sink, which receives every tenant's audit chain and the platform's; a webhook's " +
    'signing secret is printed once. syslog: [--port P] [--ca FILE] [--pin SHA256] [--client-cert FILE ' +
    '--client-key FILE] [--servername S]; splunk_hec: --token-file FILE [--index I] [--source S] [--sourcetype T] ' +
    '[--ack]. Keys and tokens are read from files, never given on the command line',
  options: Object.fromEntries(
    [...COMMON_FLAGS, ...new Set(Object.values(FLAGS_OF).flat())].map((flag) => [
      flag,
      { type: flag === 'ack' ? 'boolean' : 'string' },
    ]),
  ),
  prepare(flags) {
    const kind = validInput(z.enum(SINK_KINDS), requiredFlag(flags, 'kind'), { '': 'kind' });
    const misplaced = Object.keys(flags).find(
      (flag) => flags[flag] !== undefined && !COMMON_FLAGS.includes(flag) && !FLAGS_OF[kind].includes(flag),
    );
    if (misplaced) throw new UsageError(`--${misplaced} does not apply to a ${kind} sink`);
    const input = validInput(createAuditSinkSchema, bodyOf(kind, flags), FLAG_OF_FIELD);
    return async ({ app, out }) => {
      const context = await app();
      const { sink, secret } = await context
        .get(CommandBus)
        .execute(new CreateAuditSinkCommand(null, input, CLI_ACTOR, NO_REQUEST));
      const view = await context.get(AuditSinkViews).one(null, sink.id);
      const from = input.startAt === 'beginning' ? 'every retained event first' : 'new events only';
      out(`platform audit sink "${view.name}" created (id ${view.id})`);
      out(`${view.kind}/${view.format} to ${destinationOf(view)}, batches of ${view.batchSize}, ${from}`);
      if (secret !== null) out(`secret (shown once): ${secret}`);
      return EXIT_OK;
    };
  },
};

/** The body `POST /v1/operator/audit-streams` would take, from the flags given (and only those). */
function bodyOf(kind: SinkKind, flags: Flags): Record<string, unknown> {
  const url = optionalFlag(flags, 'url');
  const host = optionalFlag(flags, 'host');
  const body = {
    kind,
    name: optionalFlag(flags, 'name') ?? host ?? hostOf(url) ?? kind,
    format: optionalFlag(flags, 'format'),
    batchSize: numberFlag(flags, 'batch-size'),
    startAt: optionalFlag(flags, 'start-at'),
    url,
    host,
    port: numberFlag(flags, 'port'),
    ca: fileFlag(flags, 'ca'),
    pinnedSha256: optionalFlag(flags, 'pin'),
    clientCert: fileFlag(flags, 'client-cert'),
    clientKey: fileFlag(flags, 'client-key'),
    servername: optionalFlag(flags, 'servername'),
    token: fileFlag(flags, 'token-file')?.trim(),
    index: optionalFlag(flags, 'index'),
    source: optionalFlag(flags, 'source'),
    sourcetype: optionalFlag(flags, 'sourcetype'),
    ack: flags.ack === true ? true : undefined,
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

const hostOf = (url: string | undefined) => (url !== undefined && URL.canParse(url) ? new URL(url).host : undefined);

/** A whole number as a number; anything else as typed, for the schema to refuse with its own message. */
function numberFlag(flags: Flags, name: string): number | string | undefined {
  const value = optionalFlag(flags, name);
  return value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : value;
}

/** A certificate, key or token from a file: a secret in an argument would sit in shell history and `ps`. */
function fileFlag(flags: Flags, name: string): string | undefined {
  const path = optionalFlag(flags, name);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
