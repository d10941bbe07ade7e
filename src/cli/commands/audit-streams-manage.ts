import { CommandBus } from '@nestjs/cqrs';
import { z } from 'zod';
import { AuditSinkViews, DeleteAuditSinkCommand, SetAuditSinkStateCommand } from '../../audit/index.js';
import { NO_REQUEST } from '../../common/actor.js';
import { CLI_ACTOR, type CliCommand, EXIT_OK, UsageError } from '../cli-command.js';
import { sinkLine } from '../describe-sink.js';

/** The id argument, checked before anything starts; a tenant's sink or an unknown id is then not_found. */
function sinkIdOf(args: readonly string[]): string {
  const id = args[0]!;
  if (!z.uuid().safeParse(id).success) throw new UsageError(`<id>: "${id}" is not a sink id (a UUID)`);
  return id;
}

export const auditStreamsList: CliCommand = {
  words: ['audit-streams', 'list'],
  usage: '',
  summary: 'list the platform audit sinks: id, state, name, kind/format, destination, lag and what is wrong',
  options: {},
  prepare() {
    return async ({ app, out }) => {
      const sinks = await (await app()).get(AuditSinkViews).list(null);
      if (sinks.length === 0) out('no platform audit sinks');
      for (const sink of sinks) out(sinkLine(sink));
      return EXIT_OK;
    };
  },
};

export const auditStreamsRemove: CliCommand = {
  words: ['audit-streams', 'remove'],
  usage: '<id>',
  summary: 'remove a platform audit sink (the events stay in the log; retention stops waiting for it)',
  options: {},
  positionals: ['id'],
  prepare(_flags, args) {
    const id = sinkIdOf(args);
    return async ({ app, out }) => {
      await (await app()).get(CommandBus).execute(new DeleteAuditSinkCommand(null, id, CLI_ACTOR, NO_REQUEST));
      out(`platform audit sink ${id} removed`);
      return EXIT_OK;
    };
  },
};

function setState(word: 'pause' | 'resume', to: 'paused' | 'active', summary: string): CliCommand {
  return {
    words: ['audit-streams', word],
    usage: '<id>',
    summary,
    options: {},
    positionals: ['id'],
    prepare(_flags, args) {
      const id = sinkIdOf(args);
      return async ({ app, out }) => {
        const context = await app();
        await context.get(CommandBus).execute(new SetAuditSinkStateCommand(null, id, to, CLI_ACTOR, NO_REQUEST));
        out(sinkLine(await context.get(AuditSinkViews).one(null, id)));
        return EXIT_OK;
      };
    },
  };
}

export const auditStreamsPause = setState('pause', 'paused', 'stop delivering to a platform audit sink until resumed');
export const auditStreamsResume = setState(
  'resume',
  'active',
  'deliver again to a paused or disabled platform audit sink, its retries started afresh',
);
