import type { AuditSink } from '../audit-sink.entity.js';
import { endpointOf } from '../sink-settings.js';

/** What the audit log says about a sink: never a secret, never a certificate body. */
export function sinkDescription(sink: AuditSink): Record<string, unknown> {
  const { host, port, url } = endpointOf(sink.kind, sink.settings);
  return {
    name: sink.name,
    kind: sink.kind,
    format: sink.format,
    batchSize: sink.batchSize,
    endpoint: url ? `${url.protocol}//${url.host}${url.pathname}` : `${host}:${port}`,
    platform: sink.tenantId === null,
  };
}
