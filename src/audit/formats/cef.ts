import { canonicalJson } from '../canonical-json.js';
import type { AuditEventView } from '../queries/list-audit-events.query.js';
import type { AuditCheckpointView, StreamItem } from '../stream/stream-item.js';
import { mappingOf, severityOf } from './action-mappings.js';
import { CEF_SEVERITY } from './cef-severity.js';
import { emailDetail, stringDetail, subjectUserId } from './event-facts.js';
import { PRODUCT } from './product.js';
import { CHECKPOINT_ACTION, checkpointId } from './stream-item-facts.js';

/**
 * One ArcSight CEF line: `CEF:0|Stepguard|Stepguard|<version>|<action>|<title>|<severity>|<extension>`.
 * Extension keys come from the CEF dictionary, in a fixed order; what it has no key for goes in labelled
 * custom fields, the same label always in the same field (docs/audit-formats.md lists them).
 */
export function renderCef(item: StreamItem): string {
  return item.kind === 'event' ? cefEvent(item.event) : cefCheckpoint(item.checkpoint);
}

type Extension = [key: string, value: string | number | null | undefined][];

function cefEvent(e: AuditEventView): string {
  const mapping = mappingOf(e.action);
  const subject = subjectUserId(e);
  const extension: Extension = [
    ['rt', Date.parse(e.occurredAt)],
    ['externalId', e.id],
    ['act', e.action],
    ['outcome', e.outcome],
    ['cat', mapping.ocsf.class.caption],
    ['suid', e.actor.id],
    ['suser', subject === null ? emailDetail(e) : null],
    ['duid', e.target?.type === 'user' ? e.target.id : null],
    ['src', e.ip],
    ['requestClientApplication', e.userAgent],
    ['reason', stringDetail(e, 'reason')],
    ...labelled('cn1', 'seq', e.seq),
    ...labelled('cs1', 'tenant', e.tenantId),
    ...labelled('cs2', 'prevHash', e.prevHash),
    ...labelled('cs3', 'hash', e.hash),
    ...labelled('cs4', 'actorType', e.actor.type),
    ...labelled(
      'cs5',
      'target',
      e.target && (e.target.id === null ? e.target.type : `${e.target.type}:${e.target.id}`),
    ),
    ...labelled('cs6', 'details', Object.keys(e.details).length ? canonicalJson(e.details) : null),
  ];
  return line(e.action, mapping.title, CEF_SEVERITY[severityOf(mapping, e.outcome)], extension);
}

function cefCheckpoint(c: AuditCheckpointView): string {
  const extension: Extension = [
    ['rt', Date.parse(c.time)],
    ['externalId', checkpointId(c)],
    ['act', CHECKPOINT_ACTION],
    ...labelled('cn1', 'seq', c.seq),
    ...labelled('cn2', 'checkpoint', c.number),
    ...labelled('cs1', 'tenant', c.tenantId),
    ...labelled('cs2', 'previous', c.previous),
    ...labelled('cs3', 'headHash', c.headHash),
    ...labelled('cs4', 'keyId', c.keyId),
    ...labelled('cs5', 'signature', c.signature),
  ];
  return line(CHECKPOINT_ACTION, `Audit checkpoint ${c.number}`, CEF_SEVERITY.informational, extension);
}

function labelled(key: string, label: string, value: string | number | null): Extension {
  return value === null
    ? []
    : [
        [`${key}Label`, label],
        [key, value],
      ];
}

function line(signatureId: string, name: string, severity: number, extension: Extension): string {
  const header = ['CEF:0', PRODUCT.vendor, PRODUCT.name, PRODUCT.version, signatureId, name, String(severity)];
  const pairs = extension
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${cefValue(String(v))}`);
  return `${[header[0], ...header.slice(1).map(cefHeader)].join('|')}|${pairs.join(' ')}`;
}

/**
 * A header field: `\` and `|` escaped with a backslash. CEF allows no line break in the header, so one
 * becomes a space (the header holds Stepguard's own names: this only guards the line's framing).
 */
export function cefHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, ' ');
}

/** An extension value: `\` and `=` escaped with a backslash, line breaks written `\r` and `\n`. */
export function cefValue(value: string): string {
  return value.replace(/[\\=\r\n]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\${c}`));
}
