import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../common/app-config.js';
import { Clock } from '../../common/clock.js';
import { hostname } from 'node:os';
import { renderJson, renderLine, type JsonAuditFormat } from '../formats/index.js';
import { createSyslogTlsTransport } from './transports/syslog-tls.transport.js';
import type { AuditSink } from './audit-sink.entity.js';
import { SinkEgress } from './sink-egress.js';
import { SinkSecrets } from './sink-secrets.js';
import type { SplunkHecSettings, SyslogSettings, WebhookSettings } from './sink-settings.js';
import type { Delivery, SinkTransport } from './sink-transport.js';
import type { StreamItem } from './stream-item.js';
import { SplunkHecTransport } from './transports/splunk-hec.transport.js';
import { WebhookTransport } from './transports/webhook.transport.js';

interface Opened {
  /** The sink's version the transport was built for: a change of settings or secrets builds a new one. */
  version: string;
  transport: SinkTransport;
}

/**
 * One open transport per sink (kept-alive connections, a syslog session), rebuilt when the sink changes or a
 * rotated-out secret retires. The secrets are opened here, for the transport, and held nowhere else.
 */
@Injectable()
export class SinkTransports implements OnApplicationShutdown {
  private readonly open = new Map<string, Opened>();

  constructor(
    private readonly secrets: SinkSecrets,
    private readonly egress: SinkEgress,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** The sink's long-lived transport, for deliveries. */
  for(sink: AuditSink): SinkTransport {
    const now = this.clock.now();
    const version = versionOf(sink, now);
    const opened = this.open.get(sink.id);
    if (opened?.version === version) return opened.transport;
    void opened?.transport.close().catch(() => undefined);
    const transport = this.once(sink);
    this.open.set(sink.id, { version, transport });
    return transport;
  }

  /** A transport of its own, which the caller closes (a test send from an api node keeps no connection). */
  once(sink: AuditSink): SinkTransport {
    return this.buildOrExplain(
      sink,
      this.secrets.open(sink, this.clock.now()).map((s) => s.value),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.open.values()].map((o) => o.transport.close().catch(() => undefined)));
    this.open.clear();
  }

  private buildOrExplain(sink: AuditSink, secrets: string[]): SinkTransport {
    try {
      return this.build(sink, secrets);
    } catch (error) {
      // The transports' construction errors name the field and the reason, never key material.
      return new UnusableTransport(`the sink cannot be used as configured: ${(error as Error).message}`);
    }
  }

  private build(sink: AuditSink, secrets: string[]): SinkTransport {
    const timeoutMs = this.config.env.AUDIT_STREAM_TIMEOUT_SECONDS * 1000;
    const guard = this.egress.guard;
    const render = (item: StreamItem) => renderJson(sink.format as JsonAuditFormat, item);
    switch (sink.kind) {
      case 'webhook': {
        const { url } = sink.settings as WebhookSettings;
        // webhook-timestamp is the wall clock's: the receiver checks it against its own to refuse replays.
        return new WebhookTransport({ url, secrets, batched: sink.batchSize > 1, render, guard, timeoutMs });
      }
      case 'splunk_hec': {
        const { url, ack, index, source, sourcetype } = sink.settings as SplunkHecSettings;
        return new SplunkHecTransport({
          url,
          token: secrets[0] ?? '',
          render,
          guard,
          indexerAck: ack,
          ...(index && { index }),
          ...(source && { source }),
          ...(sourcetype && { sourcetype }),
          timeoutMs,
          ackTimeoutMs: 2 * timeoutMs,
        });
      }
      case 'syslog': {
        const { host, port, ca, pinnedSha256, clientCert, servername } = sink.settings as SyslogSettings;
        return createSyslogTlsTransport({
          host: guard.checkHost(host),
          port,
          ...(ca && { ca }),
          ...(pinnedSha256 && { pinnedFingerprint: pinnedSha256 }),
          ...(clientCert && { clientCert, clientKey: secrets[0] }),
          ...(servername && { servername }),
          timeoutMs,
          render: (item) => renderLine(sink.format, item),
          lookup: guard.lookup,
          hostname: hostname(),
        });
      }
    }
  }
}

/** What a transport is built from: any change to it (or a secret retiring) builds a new one. */
function versionOf(sink: AuditSink, now: Date): string {
  const inForce = sink.secrets.filter((s) => s.retiresAt === null || new Date(s.retiresAt) > now);
  return JSON.stringify([sink.kind, sink.format, sink.batchSize, sink.settings, inForce]);
}

/**
 * A sink that cannot be reached as configured (an address the egress policy now refuses, key material
 * that does not load): every batch is refused with the reason, so the sink parks and its admins see why.
 */
class UnusableTransport implements SinkTransport {
  constructor(private readonly error: string) {}

  deliver(): Promise<Delivery> {
    return Promise.resolve({ outcome: 'rejected', error: this.error });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
