import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { AuditStreamHealth, REPORTED_SINK_STATES, type SinkHealth } from '../audit/index.js';
import { withTimeout } from '../common/with-timeout.js';

const READ_TIMEOUT_MS = 5000;

const PER_SINK: { name: string; help: string; value: (sink: SinkHealth) => number }[] = [
  {
    name: 'stepguard_audit_stream_lag_events',
    help: 'Audit events committed and not yet acknowledged by the sink, over all its chains, by sink id',
    value: (sink) => sink.lagEvents,
  },
  {
    name: 'stepguard_audit_stream_lag_seconds',
    help: 'Age of the oldest audit event the sink has not acknowledged (0 when caught up), by sink id',
    value: (sink) => sink.lagSeconds,
  },
  {
    name: 'stepguard_audit_stream_parked_chains',
    help: "Chains of the sink waiting at a refused event for an admin's retry or skip, by sink id",
    value: (sink) => sink.parkedChains,
  },
];

/**
 * Per audit sink, read from PostgreSQL when Prometheus scrapes (so any api node reports every sink, whichever
 * worker delivers): lag in events and seconds, parked chains, and `stepguard_audit_stream_sink_state{sink,state}`
 * (1 for the current state). One read serves all four gauges of a scrape; if it fails or is slow they keep
 * their last values, so a database hiccup does not fail the whole scrape.
 */
@Injectable()
export class AuditStreamGauges {
  private readonly logger = new Logger('Metrics');
  private reading: Promise<SinkHealth[] | undefined> | undefined;

  constructor(
    registry: Registry,
    private readonly health: AuditStreamHealth,
  ) {
    for (const { name, help, value } of PER_SINK) {
      const gauge: Gauge<'sink'> = new Gauge({
        name,
        help,
        labelNames: ['sink'],
        registers: [registry],
        collect: () => this.fill(gauge, (sink) => gauge.set({ sink: sink.sinkId }, value(sink))),
      });
    }
    const state: Gauge<'sink' | 'state'> = new Gauge({
      name: 'stepguard_audit_stream_sink_state',
      help: 'State of each audit sink: 1 for its current state (active, paused, parked, disabled), 0 for the others',
      labelNames: ['sink', 'state'],
      registers: [registry],
      collect: () =>
        this.fill(state, (sink) => {
          for (const s of REPORTED_SINK_STATES) state.set({ sink: sink.sinkId, state: s }, s === sink.state ? 1 : 0);
        }),
    });
  }

  /** Replaces the gauge's series with the sinks of this scrape: a deleted sink's series disappear. */
  private async fill(gauge: Gauge<string>, set: (sink: SinkHealth) => void): Promise<void> {
    const sinks = await this.snapshot();
    if (!sinks) return;
    gauge.reset();
    sinks.forEach(set);
  }

  private snapshot(): Promise<SinkHealth[] | undefined> {
    this.reading ??= withTimeout(this.health.perSink(), READ_TIMEOUT_MS).then((sinks) => {
      this.reading = undefined;
      if (!sinks) this.logger.warn('could not read the audit sinks for /metrics');
      return sinks;
    });
    return this.reading;
  }
}
