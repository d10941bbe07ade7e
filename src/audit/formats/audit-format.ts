import type { StreamItem } from '../stream/stream-item.js';
import { renderCef } from './cef.js';
import { renderEcs } from './ecs.js';
import { renderNative } from './native.js';
import { renderOcsf } from './ocsf.js';

/** The renderings a sink (or the pull API) can ask for. */
export const AUDIT_FORMATS = ['native', 'ocsf', 'ecs', 'cef'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];
/** The formats whose rendering is a JSON document (a webhook's body, a Splunk HEC event). */
export type JsonAuditFormat = Exclude<AuditFormat, 'cef'>;

const JSON_RENDERERS: Readonly<Record<JsonAuditFormat, (item: StreamItem) => Record<string, unknown>>> = {
  native: renderNative,
  ocsf: renderOcsf,
  ecs: renderEcs,
};

/** The item as a JSON document in one of the JSON formats. */
export function renderJson(format: JsonAuditFormat, item: StreamItem): Record<string, unknown> {
  return JSON_RENDERERS[format](item);
}

/**
 * The item as one line of text, for line-oriented transports (a syslog message body): the JSON formats
 * as compact JSON (which escapes every line break inside strings), CEF as its line.
 */
export function renderLine(format: AuditFormat, item: StreamItem): string {
  return format === 'cef' ? renderCef(item) : JSON.stringify(renderJson(format, item));
}
