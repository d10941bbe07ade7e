import type { AuditFormat, AuditSinkViews, Delivery, SinkKind } from '../../audit/index.js';

/** A sink as `AuditSinkViews` (the API's read) gives it. */
export type SinkView = Awaited<ReturnType<AuditSinkViews['list']>>[number];

export const KIND_NAMES: Record<SinkKind, string> = {
  webhook: 'Webhook',
  syslog: 'Syslog over TLS',
  splunk_hec: 'Splunk HTTP Event Collector',
};

export const FORMAT_NAMES: Record<AuditFormat, string> = {
  native: 'Stepguard JSON',
  ocsf: 'OCSF',
  ecs: 'Elastic Common Schema',
  cef: 'CEF',
};

/** A sink as the page shows it: settings without secrets, and how its delivery stands, in words. */
export function sinkView(s: SinkView) {
  const failing = s.state === 'active' && s.consecutiveFailures > 0;
  return {
    id: s.id,
    name: s.name,
    kind: KIND_NAMES[s.kind],
    format: FORMAT_NAMES[s.format],
    /** Only a webhook signs, so only a webhook has a secret to rotate. */
    signs: s.kind === 'webhook',
    /** Stopped by an admin or by the receiver (410): Resume, not Pause, is what it offers. */
    stopped: s.state === 'paused' || s.state === 'disabled',
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

/** What a test event's delivery came to, in words: delivered, or what the receiver (or the network) said. */
export function testResultOf(name: string, d: Delivery & { elapsedMs: number }) {
  if (d.outcome === 'acknowledged') {
    return { delivered: true, words: `Delivered: “${name}” took the test event (in ${d.elapsedMs} ms).` };
  }
  const why: Record<typeof d.outcome, string> = {
    retry: 'the receiver could not be reached, or asked to try again later',
    rejected: 'the receiver refused it',
    gone: 'the receiver says this address is gone for good',
  };
  return { delivered: false, words: `Not delivered to “${name}”: ${why[d.outcome]}. It said: ${d.error}` };
}
