import { Migration } from '@mikro-orm/migrations';

/**
 * The audit stream: sinks, and per sink and chain a cursor (the last seq the receiver acknowledged). The
 * audit table itself is the outbox, so there is no copy of any event here. `audit_append` now wakes the
 * delivery workers on commit (NOTIFY is sent only when the transaction commits) when a sink watches the chain.
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
    this.addSql(`
      create or replace function audit_append(p_chain_key text, p_genesis text, p_events jsonb)
        returns table (seq bigint, prev_hash text, hash text)
        language plpgsql as $$
      #variable_conflict use_column
      declare
        v_seq bigint;
        v_hash text;
        v_prev text;
        e jsonb;
      begin
        insert into audit_chains as c (chain_key, last_seq, last_hash) values (p_chain_key, 0, p_genesis)
          on conflict (chain_key) do update set chain_key = excluded.chain_key
          returning c.last_seq, c.last_hash into v_seq, v_hash;
        for e in select value from jsonb_array_elements(p_events) loop
          v_prev := v_hash;
          v_seq := v_seq + 1;
          v_hash := encode(sha256(convert_to(v_prev || (e->>'pre') || v_seq::text || (e->>'post'), 'UTF8')), 'hex');
          insert into audit_events (id, chain_key, seq, tenant_id, occurred_at, action, outcome, actor_type, actor_id,
                                    target_type, target_id, ip, user_agent, details, prev_hash, hash)
            values ((e->>'id')::uuid, p_chain_key, v_seq, (e->>'tenantId')::uuid, (e->>'occurredAt')::timestamptz,
                    e->>'action', e->>'outcome', e->>'actorType', e->>'actorId', e->>'targetType', e->>'targetId',
                    e->>'ip', e->>'userAgent', e->'details', v_prev, v_hash);
          seq := v_seq;
          prev_hash := v_prev;
          hash := v_hash;
          return next;
        end loop;
        update audit_chains set last_seq = v_seq, last_hash = v_hash where chain_key = p_chain_key;
        -- Delivered at commit, once per transaction and chain however many appends it made.
        if exists (select 1 from audit_sinks s
                   where s.state = 'active' and (s.tenant_id is null or s.tenant_id::text = p_chain_key)) then
          perform pg_notify('stepguard_audit_appended', p_chain_key);
        end if;
      end $$;
    `);
  }

  override down(): void {
    this.addSql('drop table if exists audit_sink_cursors; drop table if exists audit_sinks;');
  }
}
