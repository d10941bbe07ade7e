import {
  type CreateAuditSinkInput,
  createAuditSinkSchema,
  FORMATS_OF,
  SINK_KINDS,
  type SinkKind,
} from '../../audit/index.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { FORMAT_NAMES, KIND_NAMES } from './audit-stream-sinks.js';

/** The form's fields that are shown again as typed; the HEC token and the client key never are. */
const KEPT = [
  'name',
  'format',
  'batchSize',
  'startAt',
  'url',
  'index',
  'source',
  'sourcetype',
  'host',
  'port',
  'ca',
  'pinnedSha256',
  'clientCert',
  'servername',
] as const;
type Kept = (typeof KEPT)[number];
type Field = Kept | 'token' | 'clientKey';

/** What a field the schema refused needs to become valid, in words, in the form's order. */
const FIELD_HELP: Record<Field, string> = {
  name: 'Give the destination a name, up to 100 characters.',
  format: 'Choose one of the formats listed.',
  batchSize: 'The batch size must be a whole number from 1 to 1000.',
  startAt: 'Choose where the stream starts.',
  url: 'Enter the receiver’s full address, starting with https:// (for example https://siem.example.com/hook).',
  token: 'Enter the HEC token Splunk gave you, up to 512 characters.',
  index: 'The index takes up to 200 characters.',
  source: 'The source takes up to 200 characters.',
  sourcetype: 'The source type takes up to 200 characters.',
  host: 'Enter the receiver’s host name or IP address.',
  port: 'The port must be a whole number from 1 to 65535.',
  ca: 'The CA certificates must be in PEM, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.',
  pinnedSha256: 'The pinned SHA-256 must be 64 hexadecimal digits (colons allowed) or 44 characters of base64.',
  clientCert: 'The client certificate must be in PEM.',
  clientKey: 'The client certificate and its private key go together; the key must be in PEM.',
  servername: 'The server name takes up to 253 characters.',
};

/** Where the command refused the destination itself (the deployment's egress rules), in words. */
const REFUSED_HELP: Record<string, string> = {
  url:
    'Stepguard may not send to that address. Use https, leave any user name and password out of it, and give a ' +
    'host that resolves to a public address (private and loopback addresses need AUDIT_STREAM_EGRESS_ALLOW).',
  host:
    'Stepguard may not connect to that host. Give one that resolves to a public address (private and loopback ' +
    'addresses need AUDIT_STREAM_EGRESS_ALLOW).',
};

export interface SinkFormView {
  kind: SinkKind;
  kindName: string;
  webhook: boolean;
  hec: boolean;
  syslog: boolean;
  values: Record<Kept, string> & { ack: boolean };
  formats: { value: string; name: string; checked: boolean }[];
  startAt: { value: string; name: string; checked: boolean }[];
  invalid: Record<Field, boolean>;
}

export type ReadSinkForm =
  { ok: true; input: CreateAuditSinkInput; view: SinkFormView } | { ok: false; problems: string[]; view: SinkFormView };

/** The kind a `?kind=` or a hidden field names, or null for anything else. */
export function kindOf(value: unknown): SinkKind | null {
  return SINK_KINDS.find((k) => k === value) ?? null;
}

/** A blank form of this kind, with the API's defaults filled in. */
export function blankSinkForm(kind: SinkKind): SinkFormView {
  const values = Object.fromEntries(KEPT.map((f) => [f, ''])) as Record<Kept, string>;
  const defaults = { format: 'native', batchSize: '100', startAt: 'beginning', port: '6514' };
  return viewOf(kind, { ...values, ...defaults, ack: false }, new Set());
}

/**
 * The posted form as the API's create body, checked by the API's own schema. Empty optional fields are
 * left out (the API's defaults apply), numbers must be whole numbers as typed.
 */
export function readSinkForm(kind: SinkKind, body: Record<string, unknown>): ReadSinkForm {
  const typed = Object.fromEntries(KEPT.map((f) => [f, textOf(body[f])])) as Record<Kept, string>;
  const values = { ...typed, ack: body['ack'] === 'on' };
  const secrets = { token: textOf(body['token']), clientKey: textOf(body['clientKey']) };
  const candidate: Record<string, unknown> = { kind, name: typed.name, format: typed.format || undefined };
  candidate['batchSize'] = typed.batchSize === '' ? undefined : wholeNumber(typed.batchSize);
  candidate['startAt'] = typed.startAt || undefined;
  const own: readonly Field[] =
    kind === 'webhook'
      ? ['url']
      : kind === 'splunk_hec'
        ? ['url', 'token', 'index', 'source', 'sourcetype']
        : ['host', 'ca', 'pinnedSha256', 'clientCert', 'clientKey', 'servername'];
  const all: Record<string, string> = { ...typed, ...secrets };
  for (const field of own) if (all[field] !== '') candidate[field] = all[field];
  if (kind === 'splunk_hec') candidate['ack'] = values.ack;
  if (kind === 'syslog' && typed.port !== '') candidate['port'] = wholeNumber(typed.port);

  const parsed = createAuditSinkSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, input: parsed.data, view: viewOf(kind, values, new Set()) };
  const fields = new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '') as Field));
  const problems = (Object.keys(FIELD_HELP) as Field[]).filter((f) => fields.has(f)).map((f) => FIELD_HELP[f]);
  return {
    ok: false,
    problems: problems.length ? problems : ['Check the form and try again.'],
    view: viewOf(kind, values, fields),
  };
}

/**
 * The words for the create command's `validation_failed` (the egress rules refused the URL or host), the
 * form marked where; any other refusal is not the form's to show.
 */
export function refusedByCommand(
  error: unknown,
  view: SinkFormView,
): { problems: string[]; view: SinkFormView } | null {
  if (!(error instanceof DomainError) || error.code !== 'validation_failed') return null;
  const fields = new Set((error.extra.errors ?? []).map((e) => e.field as Field));
  const problems = [...fields].map((f) => REFUSED_HELP[f] ?? FIELD_HELP[f] ?? 'Check the form and try again.');
  const invalid = { ...view.invalid };
  for (const f of fields) if (f in invalid) invalid[f] = true;
  return { problems: problems.length ? problems : ['Check the form and try again.'], view: { ...view, invalid } };
}

function viewOf(kind: SinkKind, values: SinkFormView['values'], refused: ReadonlySet<Field>): SinkFormView {
  return {
    kind,
    kindName: KIND_NAMES[kind],
    webhook: kind === 'webhook',
    hec: kind === 'splunk_hec',
    syslog: kind === 'syslog',
    values,
    formats: FORMATS_OF[kind].map((f) => ({ value: f, name: FORMAT_NAMES[f], checked: values.format === f })),
    startAt: [
      { value: 'beginning', name: 'From the beginning: every entry the log still holds, then new ones' },
      { value: 'now', name: 'From now: only entries recorded after the destination is added' },
    ].map((o) => ({ ...o, checked: values.startAt === o.value })),
    invalid: Object.fromEntries((Object.keys(FIELD_HELP) as Field[]).map((f) => [f, refused.has(f)])) as Record<
      Field,
      boolean
    >,
  };
}

/** PEM bundles are the longest fields: 64 KiB, as the schema allows. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value.trim().slice(0, 65_536) : '';
}

function wholeNumber(text: string): number {
  return /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
}
