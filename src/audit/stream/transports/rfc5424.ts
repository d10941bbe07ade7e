import type { StreamItem } from '../stream-item.js';

/**
 * authpriv (10), not log audit (13): the events are authentication and authorization records carrying
 * personal data (user ids, IPs, user agents), which is what authpriv exists for, and every syslog daemon
 * and SIEM knows it by name (Debian's rsyslog files it with auth in /var/log/auth.log). Facility 13 has
 * no name in glibc and shows as a bare number in many receivers.
 */
export const AUTHPRIV = 10;

/** The documentation Private Enterprise Number of RFC 5612, until Stepguard has one of its own. */
export const SD_ID = 'stepguard@32473';

const SEVERITY = { warning: 4, notice: 5, informational: 6 } as const;

export interface SyslogHeaderOptions {
  hostname: string;
  appName: string;
  facility?: number;
  /**
   * Start MSG with a UTF-8 BOM (RFC 5424 MSG-UTF8). Off by default: the bodies are JSON, which RFC 8259
   * forbids to start with a BOM on the wire, and CEF, whose parsers look for `CEF:` first; rsyslog keeps
   * the BOM in %msg%, where it makes mmjsonparse fail. Without it MSG is RFC 5424 MSG-ANY.
   */
  utf8Bom?: boolean;
}

/** One RFC 5424 SYSLOG-MSG for a stream item, its rendered `body` as MSG. */
export function syslogMessage(item: StreamItem, body: string, options: SyslogHeaderOptions): string {
  const { facility = AUTHPRIV } = options;
  const fields = headerFieldsOf(item);
  const header = [
    `<${facility * 8 + fields.severity}>1`,
    rfc5424Timestamp(fields.time),
    printable(options.hostname, 255),
    printable(options.appName, 48),
    '-',
    printable(fields.msgId, 32),
  ].join(' ');
  return `${header} ${structuredData(fields.params)} ${options.utf8Bom ? '\uFEFF' : ''}${body}`;
}

/** RFC 6587 octet counting, as RFC 5425 requires: `MSG-LEN SP SYSLOG-MSG`, the length in octets. */
export function octetCountedFrame(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}

interface HeaderFields {
  severity: number;
  time: string;
  msgId: string;
  params: [string, string | null][];
}

function headerFieldsOf(item: StreamItem): HeaderFields {
  if (item.kind === 'checkpoint') {
    const { checkpoint } = item;
    return {
      severity: SEVERITY.informational,
      time: checkpoint.time,
      msgId: 'checkpoint',
      // `hash` is the hash of the event at `seq`, as on an event's line: one meaning for both kinds.
      params: [
        ['tenant', checkpoint.tenantId],
        ['seq', String(checkpoint.seq)],
        ['checkpoint', String(checkpoint.number)],
        ['hash', checkpoint.headHash],
      ],
    };
  }
  const { event } = item;
  return {
    severity: event.outcome === 'failure' ? SEVERITY.warning : SEVERITY.notice,
    time: event.occurredAt,
    msgId: event.action,
    params: [
      ['tenant', event.tenantId],
      ['seq', String(event.seq)],
      ['id', event.id],
      ['prevHash', event.prevHash],
      ['hash', event.hash],
    ],
  };
}

/** One SD-ELEMENT; a null value (the platform chain's tenant) leaves its parameter out. */
function structuredData(params: [string, string | null][]): string {
  const present = params.filter((p): p is [string, string] => p[1] !== null);
  return `[${SD_ID}${present.map(([name, value]) => ` ${name}="${escapeParamValue(value)}"`).join('')}]`;
}

/** RFC 5424 §6.3.3: `"`, `\` and `]` inside a PARAM-VALUE are escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** Header fields are PRINTUSASCII (33–126) of bounded length, or the NILVALUE `-` when nothing is left. */
function printable(value: string, maxLength: number): string {
  const kept = value.replace(/[^\x21-\x7e]/g, '').slice(0, maxLength);
  return kept === '' ? '-' : kept;
}

const RFC5424_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** RFC 5424 TIMESTAMP: RFC 3339 with at most 6 fraction digits and an explicit offset; `-` if unreadable. */
export function rfc5424Timestamp(time: string): string {
  const match = RFC5424_TIME.exec(time);
  if (match) return `${match[1]!.toUpperCase()}${(match[2] ?? '').slice(0, 7)}${match[3]!.toUpperCase()}`;
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? '-' : parsed.toISOString();
}
