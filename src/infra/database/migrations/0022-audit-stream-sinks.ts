import { Migration } from '@mikro-orm/migrations';

/**
 * The audit stream: sinks, and per sink and chain a cursor (the last seq the receiver acknowledged). The
 * audit table itself is the outbox, so there is no copy of any event here. Appending to a chain a sink
 * watches wakes the delivery workers when the transaction commits (NOTIFY is sent only then).
 */
export class Migration0022AuditStreamSinks extends Migration {
  override name = '0022-audit-stream-sinks';

  override up(): void {
    this.addSql(`
      create table audit_sinks (
        id uuid primary key,
        tenant_id uuid null,
        name text not null,
        kind text not null check (kind in ('webhook', 'syslog', 'splunk_hec')),
        format text not null check (format in ('native', 'ocsf', 'ecs', 'cef')),
        settings jsonb not null,
        secrets jsonb not null default '[]',
        batch_size int not null check (batch_size between 1 and 1000),
        state text not null default 'active' check (state in ('active', 'paused', 'disabled')),
        state_reason text null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );
      create index audit_sinks_tenant on audit_sinks (tenant_id, created_at);

      create table audit_sink_cursors (
        sink_id uuid not null references audit_sinks (id) on delete cascade,
        chain_key text not null,
        delivered_seq bigint not null default 0,
        delivered_checkpoint bigint not null default 0,
        -- A failed batch's last seq: its retries send exactly the same items, under the same id.
        pinned_through_seq bigint null,
        -- After a refused batch, its events go one by one up to here, so the refusal parks at the very event.
        one_by_one_through_seq bigint null,
        parked_seq bigint null,
        parked_error text null,
        consecutive_failures int not null default 0,
        failing_since timestamptz null,
        next_attempt_at timestamptz null,
        last_success_at timestamptz null,
        last_error text null,
        last_error_at timestamptz null,
        lease_token uuid null,
        lease_until timestamptz null,
        primary key (sink_id, chain_key)
      );
      create index audit_sink_cursors_chain on audit_sink_cursors (chain_key);
    `);
    // Delivered at commit (NOTIFY waits for it), once per transaction and chain, however many rows and
    // statements appended: whatever path wrote the events, a watching sink's delivery wakes.
    this.addSql(`
      create function audit_stream_wake() returns trigger language plpgsql as $$
      declare
        v_chain text;
      begin
        for v_chain in
          select distinct a.chain_key from appended a
           where exists (select 1 from audit_sinks s
                          where s.state = 'active' and (s.tenant_id is null or s.tenant_id::text = a.chain_key))
        loop
          perform pg_notify('stepguard_audit_appended', v_chain);
        end loop;
        return null;
      end $$;
      create trigger audit_events_wake_stream after insert on audit_events
        referencing new table as appended for each statement execute function audit_stream_wake();
    `);
  }

  override down(): void {
    this.addSql(`
      drop trigger if exists audit_events_wake_stream on audit_events;
      drop function if exists audit_stream_wake();
      drop table if exists audit_sink_cursors;
      drop table if exists audit_sinks;
    `);
  }
}
