import { z } from 'zod';
import type { AuditFormat } from '../formats/index.js';

export const SINK_KINDS = ['webhook', 'syslog', 'splunk_hec'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

/** The formats each kind can carry: CEF is a line format, so it goes by syslog only; ECS is JSON for HTTP receivers. */
export const FORMATS_OF: Record<SinkKind, readonly AuditFormat[]> = {
  webhook: ['native', 'ocsf', 'ecs'],
  syslog: ['native', 'ocsf', 'cef'],
  splunk_hec: ['native', 'ocsf', 'ecs'],
};

const pem = (what: string) =>
  z
    .string()
    .max(65_536)
    .regex(/-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----/, `must be ${what} in PEM`);
const host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or an IP address');

export const webhookSettingsSchema = z.object({ url: z.string().url().max(2048) }).strict();

export const syslogSettingsSchema = z
  .object({
    host,
    port: z.number().int().min(1).max(65_535).default(6514),
    /** Trust only these CAs for the receiver's certificate (PEM bundle); the system CAs otherwise. */
    ca: pem('one or more certificates').optional(),
    /** SHA-256 of the receiver certificate's public key (SPKI), hex or base64: pins it, whoever signed it. */
    pinnedSha256: z
      .string()
      .regex(/^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$|^[A-Za-z0-9+/]{43}=$/, 'must be a SHA-256 in hex or base64')
      .optional(),
    /** The client certificate for mutual TLS; its key is a secret, given as `clientKey`. */
    clientCert: pem('a certificate').optional(),
    /** The name checked against the receiver's certificate when it differs from `host`. */
    servername: z.string().max(253).optional(),
  })
  .strict();

export const splunkHecSettingsSchema = z
  .object({
    url: z.string().url().max(2048),
    index: z.string().max(200).optional(),
    source: z.string().max(200).optional(),
    sourcetype: z.string().max(200).optional(),
    /** Wait for indexer acknowledgement before the cursor moves (needs a channel-enabled HEC token). */
    ack: z.boolean().default(false),
  })
  .strict();

export type WebhookSettings = z.output<typeof webhookSettingsSchema>;
export type SyslogSettings = z.output<typeof syslogSettingsSchema>;
export type SplunkHecSettings = z.output<typeof splunkHecSettingsSchema>;
export type SinkSettings = WebhookSettings | SyslogSettings | SplunkHecSettings;

export const SETTINGS_OF = {
  webhook: webhookSettingsSchema,
  syslog: syslogSettingsSchema,
  splunk_hec: splunkHecSettingsSchema,
} as const satisfies Record<SinkKind, z.ZodType>;

/** The address a sink connects to, for the egress checks: a URL's host and port, or syslog's host and port. */
export function endpointOf(kind: SinkKind, settings: SinkSettings): { host: string; port: number; url?: URL } {
  if (kind === 'syslog') {
    const { host, port } = settings as SyslogSettings;
    return { host, port };
  }
  const url = new URL((settings as WebhookSettings | SplunkHecSettings).url);
  return { host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80), url };
}
