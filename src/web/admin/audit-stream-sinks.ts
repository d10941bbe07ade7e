import type { AuditSinkViews } from '../../audit/index.js';

/** A sink as `AuditSinkViews` (the API's read) gives it. */
export type SinkView = Awaited<ReturnType<AuditSinkViews['list']>>[number];

const KINDS: Record<string, string> = {
  webhook: 'Webhook',
  syslog: 'Syslog over TLS',
  splunk_hec: 'Splunk HTTP Event Collector',
};

const FORMATS: Record<string, string> = {
  native: 'Stepguard JSON',
  ocsf: 'OCSF',
  ecs: 'Elastic Common Schema',
  cef: 'CEF',
};

/** A sink as the page shows it: settings without secrets, and how its delivery stands, in words. */
export function sinkView(s: SinkView) {
  const failing = s.state === 'active' && s.consecutiveFailures > 0;
  return {
    name: s.name,
    kind: KINDS[s.kind] ?? s.kind,
    format: FORMATS[s.format] ?? s.format,
    endpoint: endpointOf(s.kind, s.settings as Record<string, unknown>),
    state: failing ? 'Failing' : stateWords(s.state),
    healthy: s.state === 'active' && !failing,
    stateReason: s.stateReason,
    deliveredSeq: s.deliveredSeq,
    lagEvents: s.lagEvents,
    lag: s.lagEvents === 0 ? null : durationOf(s.lagSeconds),
    lastSuccessAt: s.lastSuccessAt,
    lastError: s.lastError,
    lastErrorAt: s.lastErrorAt,
    consecutiveFailures: s.consecutiveFailures,
    parked: s.parked.map((p) => ({ seq: p.seq, error: p.error })),
    createdAt: s.createdAt,
  };
}

function stateWords(state: string): string {
  if (state === 'active') return 'Delivering';
  if (state === 'paused') return 'Paused';
  if (state === 'parked') return 'Stopped at a refused event';
  if (state === 'disabled') return 'Disabled';
  return state;
}

/**
 * Where the sink sends, with nothing that could be a credential: a URL's user name, password and query
 * (some receivers take a token there) are left out; secrets proper are never in the settings.
 */
export function endpointOf(kind: string, settings: Record<string, unknown>): string {
  if (kind === 'syslog') return `${String(settings['host'])}:${String(settings['port'])}`;
  try {
    const url = new URL(String(settings['url']));
    return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
  } catch {
    return 'not shown';
  }
}

function durationOf(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}
