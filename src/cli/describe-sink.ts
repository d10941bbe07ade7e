import type { AuditSinkViews } from '../audit/index.js';

export type SinkView = Awaited<ReturnType<AuditSinkViews['one']>>;

/** Where a sink sends, as an operator reads it: a URL, or syslog's `host:port`. */
export function destinationOf({ kind, settings }: Pick<SinkView, 'kind' | 'settings'>): string {
  if (kind === 'syslog' && 'host' in settings) return `syslog-tls://${settings.host}:${settings.port}`;
  return 'url' in settings ? settings.url : kind;
}

/** A sink on one line: what `audit-streams list` prints, and the other commands after a change. */
export function sinkLine(view: SinkView): string {
  const parts = [
    `${view.id}  ${view.state.padEnd(8)}  "${view.name}"  ${view.kind}/${view.format} to ${destinationOf(view)}`,
    `lag ${view.lagEvents} event${view.lagEvents === 1 ? '' : 's'} (${view.lagSeconds} s)`,
  ];
  for (const p of view.parked) parts.push(`parked at seq ${p.seq} of chain ${p.chain}: ${p.error}`);
  if (view.state !== 'active' && view.stateReason) parts.push(view.stateReason);
  if (view.lastError && view.consecutiveFailures > 0) {
    parts.push(`failing ${view.consecutiveFailures}× since: ${view.lastError}`);
  }
  return parts.join('  ');
}
