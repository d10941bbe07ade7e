import type { LookupFunction } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Delivery, SinkTransport, StreamBatch } from '../sink-transport.js';
import type { StreamItem } from '../stream-item.js';
import { octetCountedFrame, syslogMessage, type SyslogHeaderOptions } from './rfc5424.js';
import { parseSpkiPin } from './spki-pin.js';
import { ConnectionFailure, SyslogTlsConnection } from './syslog-tls-connection.js';

/** RFC 5425's port for syslog over TLS. */
export const SYSLOG_TLS_PORT = 6514;

export interface SyslogTlsOptions {
  host: string;
  port?: number;
  /** PEM bundle of the CAs that may sign the receiver's certificate; the system CAs otherwise. */
  ca?: string;
  /**
   * SHA-256 of the receiver certificate's SubjectPublicKeyInfo, base64 or hex (see `parseSpkiPin`).
   * Without `ca` the pin alone authenticates the receiver (a self-signed certificate is fine, its name
   * is not checked); with `ca` the chain, the name and the pin must all hold.
   */
  pinnedFingerprint?: string;
  /** PEM client certificate (and chain) and key, for receivers that require mutual TLS. */
  clientCert?: string;
  clientKey?: string;
  /** The name for SNI and for checking the certificate, when it differs from `host`. */
  servername?: string;
  /** Bounds the connection (TCP and TLS handshake) and, separately, each batch's write and acknowledgement. */
  timeoutMs: number;
  /** The MSG of each item: native JSON, OCSF JSON or CEF. */
  render: (item: StreamItem) => string;
  /** Resolves `host` at connect time (the egress guard that refuses private addresses). */
  lookup?: LookupFunction;
  /** HOSTNAME of the header: this Stepguard installation. */
  hostname: string;
  appName?: string;
  facility?: number;
  utf8Bom?: boolean;
}

/**
 * Delivers a sink's batches to a syslog receiver as RFC 5424 messages over TLS (RFC 5425): one
 * octet-counted frame per item, a batch written at once on one persistent connection, reopened when
 * broken. What "acknowledged" means is written on `SyslogTlsConnection`.
 *
 * Outcomes: any network, TLS, certificate or timeout failure is `retry` (the receiver's side can mend it:
 * a restart, a renewed certificate). A pin mismatch is `rejected`: only a new pin from an admin mends
 * it, or it is an impostor that retrying would keep knocking on; the sink parks with the presented key's
 * digest in the error. Nothing is written before the receiver is authenticated.
 */
export function createSyslogTlsTransport(options: SyslogTlsOptions): SinkTransport {
  return new SyslogTlsTransport(options);
}

class SyslogTlsTransport implements SinkTransport {
  private readonly secureContext: SecureContext;
  private readonly pin?: Buffer;
  private readonly header: SyslogHeaderOptions;
  private connection?: SyslogTlsConnection;
  /** One batch at a time: frames of two batches must not interleave on the connection. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SyslogTlsOptions) {
    this.secureContext = secureContextOf(options);
    if (options.pinnedFingerprint !== undefined) this.pin = parseSpkiPin(options.pinnedFingerprint);
    this.header = {
      hostname: options.hostname,
      appName: options.appName ?? 'stepguard',
      facility: options.facility,
      utf8Bom: options.utf8Bom,
    };
  }

  deliver(batch: StreamBatch): Promise<Delivery> {
    const run = this.tail.then(() => this.send(batch));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close();
  }

  private async send(batch: StreamBatch): Promise<Delivery> {
    if (batch.items.length === 0) return { outcome: 'acknowledged' };
    const frames = Buffer.concat(
      batch.items.map((item) => octetCountedFrame(syslogMessage(item, this.options.render(item), this.header))),
    );
    try {
      const connection = await this.connected();
      await connection.send(frames);
      return { outcome: 'acknowledged' };
    } catch (error) {
      this.connection?.destroy();
      this.connection = undefined;
      if (!(error instanceof ConnectionFailure)) throw error;
      const message = `syslog ${this.options.host}:${this.port}: ${error.message}`;
      return error.permanent ? { outcome: 'rejected', error: message } : { outcome: 'retry', error: message };
    }
  }

  private async connected(): Promise<SyslogTlsConnection> {
    if (this.connection && (await this.connection.usable())) return this.connection;
    this.connection?.destroy();
    this.connection = undefined;
    const { host, servername, lookup, timeoutMs } = this.options;
    this.connection = await SyslogTlsConnection.open({
      host,
      port: this.port,
      secureContext: this.secureContext,
      pin: this.pin,
      checkChain: this.pin === undefined || this.options.ca !== undefined,
      servername,
      lookup,
      timeoutMs,
    });
    return this.connection;
  }

  private get port(): number {
    return this.options.port ?? SYSLOG_TLS_PORT;
  }
}

/** Refuses unreadable PEM at construction, naming the field and never echoing its content. */
function secureContextOf({ ca, clientCert, clientKey }: SyslogTlsOptions): SecureContext {
  if ((clientCert === undefined) !== (clientKey === undefined)) {
    throw new Error('a client certificate needs its key, and a key its certificate');
  }
  try {
    return createSecureContext({ ca, cert: clientCert, key: clientKey });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(`the CA bundle, client certificate or client key is not usable PEM${code ? ` (${code})` : ''}`);
  }
}
