import { Migration } from '@mikro-orm/migrations';

/**
 * Audit retention (AUDIT_RETENTION_DAYS): the one way audit rows leave, through the purge seam of
 * migration 0021. `audit_purge` is SECURITY DEFINER, owned by the tables' owner, so the application's role
 * can call it but still cannot DELETE an audit row itself. It deletes the oldest events of a chain, older than
 * the cutoff, in one bounded batch, and never:
 *
 * - an event a sink has not received: not past the lowest `delivered_seq` of the chain's cursors of sinks that
 *   are not `disabled` (a paused sink holds retention, its admin will resume it; a disabled one does not, its
 *   receiver answered 410 Gone), and a platform sink without a cursor on the chain yet holds all of it;
 * - the chain's newest event, nor anything younger than a day by the database's own clock, whatever the
 *   caller asks: even the application's credentials cannot erase the last day;
 * - a range with a hole or a broken link: a deletion made outside a purge is never laundered into one.
 *
 * Checkpoints older than the cutoff are thinned the same way (held by `delivered_checkpoint`, the newest always
 * kept). Each purge is recorded in `audit_purges` (insert and delete only through the seam): the last purged
 * event's hash, which is the next event's prevHash, so `audit verify` starts its walk there, and the newest
 * thinned checkpoint whole, so the numbering, links and cadence of the stored ones still check from it.
 */
export class Migration0023AuditRetention extends Migration {
  override name = '0023-audit-retention';

  override up(): void {
    this.addSql(`
      create table audit_purges (
        chain_key text not null,
        number bigint not null,
        purged_at timestamptz not null,
        cutoff timestamptz not null,
        -- The first event this purge deleted (null when it only thinned checkpoints); every event up to
        -- through_seq is gone, and through_hash is the hash of that last one (the genesis hash for 0).
        from_seq bigint null,
        through_seq bigint not null,
        through_hash text not null,
        -- The first checkpoint this purge thinned, and the newest thinned so far, whole (its row as JSON).
        checkpoints_from bigint null,
        last_checkpoint jsonb null,
        primary key (chain_key, number)
      );

      create function audit_purges_guard() returns trigger language plpgsql as $$
      begin
        if TG_OP in ('INSERT', 'DELETE') and audit_purge_allowed(TG_RELID) then
          return null;
        end if;
        raise exception '% on % is refused: only the retention purge writes it', TG_OP, TG_TABLE_NAME
          using errcode = 'insufficient_privilege';
      end $$;
      create trigger audit_purges_guard before insert or update or delete or truncate on audit_purges
        for each statement execute function audit_purges_guard();
    `);
    this.addSql(`
      create function audit_purge_bounds(p_chain text, p_before timestamptz, p_limit bigint)
        returns table (cutoff timestamptz, head_seq bigint, horizon_number bigint, horizon_seq bigint,
                       horizon_hash text, horizon_checkpoint jsonb, through_seq bigint, through_checkpoint bigint,
                       held_seq bigint, held_checkpoint bigint, held_by uuid)
        -- held_seq and held_checkpoint: the lowest cursors of the sinks the chain is owed to (null: none).
        language plpgsql as $$
      #variable_conflict use_column
      declare
        v_head bigint;
        v_newest bigint;
        v_cap bigint;
        v_young bigint;
        v_from_checkpoint bigint;
        v_owed uuid;
      begin
        if p_before is null then
          raise exception 'audit_purge_bounds needs a cutoff' using errcode = 'invalid_parameter_value';
        end if;
        cutoff := least(p_before, now() - interval '1 day');
        select p.number, p.through_seq, p.through_hash, p.last_checkpoint
          into horizon_number, horizon_seq, horizon_hash, horizon_checkpoint
          from audit_purges p where p.chain_key = p_chain order by p.number desc limit 1;
        if not found then
          horizon_number := 0;
          horizon_seq := 0;
          horizon_hash := repeat('0', 64);
        end if;
        v_from_checkpoint := coalesce((horizon_checkpoint->>'number')::bigint, 0);

        -- Held until the cursors' owner commits: a replay moving a cursor back waits, then sees the purge.
        perform 1 from audit_sink_cursors c where c.chain_key = p_chain for share;
        select c.delivered_seq, c.sink_id into held_seq, held_by
          from audit_sink_cursors c join audit_sinks s on s.id = c.sink_id
         where c.chain_key = p_chain and s.state <> 'disabled'
         order by c.delivered_seq, c.sink_id limit 1;
        select min(c.delivered_checkpoint) into held_checkpoint
          from audit_sink_cursors c join audit_sinks s on s.id = c.sink_id
         where c.chain_key = p_chain and s.state <> 'disabled';
        -- A platform sink gets a cursor on a chain at its first delivery: until then it is owed all of it.
        select s.id into v_owed from audit_sinks s
         where s.tenant_id is null and s.state <> 'disabled'
           and not exists (select 1 from audit_sink_cursors c where c.sink_id = s.id and c.chain_key = p_chain)
         order by s.id limit 1;
        if found then
          held_seq := 0;
          held_checkpoint := 0;
          held_by := v_owed;
        end if;

        select h.last_seq into v_head from audit_chains h where h.chain_key = p_chain;
        head_seq := coalesce(v_head, 0);
        v_cap := least(coalesce(v_head, 0) - 1, held_seq, horizon_seq + p_limit);
        select e.seq into v_young from audit_events e
         where e.chain_key = p_chain and e.seq > horizon_seq and e.seq <= v_cap and e.occurred_at >= cutoff
         order by e.seq limit 1;
        through_seq := greatest(horizon_seq, coalesce(v_young - 1, v_cap));
        -- held_by names the sink only when it is what stops the purge: the next event would go but for it.
        if held_seq is null or held_seq > through_seq or not exists (
            select 1 from audit_events e
             where e.chain_key = p_chain and e.seq = through_seq + 1 and e.seq < v_head and e.occurred_at < cutoff) then
          held_by := null;
        end if;

        select max(k.number) into v_newest from audit_checkpoints k where k.chain_key = p_chain;
        v_cap := least(coalesce(v_newest, 0) - 1, held_checkpoint, v_from_checkpoint + p_limit);
        v_young := null;
        select k.number into v_young from audit_checkpoints k
         where k.chain_key = p_chain and k.number > v_from_checkpoint and k.number <= v_cap and k.time >= cutoff
         order by k.number limit 1;
        through_checkpoint := greatest(v_from_checkpoint, coalesce(v_young - 1, v_cap));
        return next;
      end $$;
    `);
    this.addSql(`
      create function audit_purge(p_chain text, p_before timestamptz, p_through bigint, p_limit int)
        returns table (number bigint, cutoff timestamptz, from_seq bigint, through_seq bigint, through_hash text,
                       checkpoints_from bigint, checkpoints_through bigint)
        language plpgsql security definer as $$
      #variable_conflict use_column
      declare
        b record;
        v_through bigint;
        v_hash text;
        v_count bigint;
        v_unlinked bigint;
        v_from_checkpoint bigint;
        v_checkpoint jsonb;
        v_number bigint;
        v_from_seq bigint;
        v_checkpoints_from bigint;
      begin
        if p_limit is null or p_limit < 1 or p_limit > 10000 or p_through is null then
          raise exception 'audit_purge takes a seq to purge through and a limit of 1-10000'
            using errcode = 'invalid_parameter_value';
        end if;
        -- One purge of a chain at a time: each starts where the previous one recorded its horizon.
        perform pg_advisory_xact_lock(7307074, hashtext(p_chain));
        select * into b from audit_purge_bounds(p_chain, p_before, p_limit);
        -- The caller checked the hashes up to p_through; the bounds hold whatever it asks.
        v_through := least(b.through_seq, greatest(p_through, b.horizon_seq));
        v_from_checkpoint := coalesce((b.horizon_checkpoint->>'number')::bigint, 0);
        if v_through = b.horizon_seq and b.through_checkpoint = v_from_checkpoint then
          return;
        end if;

        v_hash := b.horizon_hash;
        if v_through > b.horizon_seq then
          select count(*), min(x.seq) filter (where not x.linked) into v_count, v_unlinked from (
            select e.seq, e.prev_hash = coalesce(lag(e.hash) over (order by e.seq), b.horizon_hash) as linked
              from audit_events e where e.chain_key = p_chain and e.seq > b.horizon_seq and e.seq <= v_through) x;
          if v_count <> v_through - b.horizon_seq or v_unlinked is not null then
            raise exception 'the audit chain % is broken between seq % and %: nothing purged (run audit verify)',
              p_chain, b.horizon_seq + 1, v_through using errcode = 'data_corrupted';
          end if;
          select e.hash into v_hash from audit_events e where e.chain_key = p_chain and e.seq = v_through;
        end if;

        v_checkpoint := b.horizon_checkpoint;
        if b.through_checkpoint > v_from_checkpoint then
          select count(*), min(x.number) filter (where not x.linked) into v_count, v_unlinked from (
            select k.number, k.previous is not distinct from
                     coalesce(lag(k.signature) over (order by k.number), b.horizon_checkpoint->>'signature') as linked
              from audit_checkpoints k
             where k.chain_key = p_chain and k.number > v_from_checkpoint and k.number <= b.through_checkpoint) x;
          if v_count <> b.through_checkpoint - v_from_checkpoint or v_unlinked is not null then
            raise exception 'the checkpoints of audit chain % are broken between #% and #%: nothing purged (run audit verify)',
              p_chain, v_from_checkpoint + 1, b.through_checkpoint using errcode = 'data_corrupted';
          end if;
          select to_jsonb(k) - 'chain_key' into v_checkpoint from audit_checkpoints k
           where k.chain_key = p_chain and k.number = b.through_checkpoint;
        end if;

        perform set_config('stepguard.audit_purge', 'on', true);
        delete from audit_events e where e.chain_key = p_chain and e.seq > b.horizon_seq and e.seq <= v_through;
        delete from audit_checkpoints k
         where k.chain_key = p_chain and k.number > v_from_checkpoint and k.number <= b.through_checkpoint;
        v_number := b.horizon_number + 1;
        v_from_seq := case when v_through > b.horizon_seq then b.horizon_seq + 1 end;
        v_checkpoints_from := case when b.through_checkpoint > v_from_checkpoint then v_from_checkpoint + 1 end;
        insert into audit_purges (chain_key, number, purged_at, cutoff, from_seq, through_seq, through_hash,
                                  checkpoints_from, last_checkpoint)
          values (p_chain, v_number, now(), b.cutoff, v_from_seq, v_through, v_hash, v_checkpoints_from, v_checkpoint);
        -- The record of older purges goes with the events it describes; the newest stays: verification starts there.
        delete from audit_purges p where p.chain_key = p_chain and p.number < v_number and p.purged_at < b.cutoff;
        perform set_config('stepguard.audit_purge', 'off', true);
        number := v_number;
        cutoff := b.cutoff;
        from_seq := v_from_seq;
        through_seq := v_through;
        through_hash := v_hash;
        checkpoints_from := v_checkpoints_from;
        checkpoints_through := b.through_checkpoint;
        return next;
      end $$;
    `);
    // Pinned to the schema the tables are in, and pg_temp last: a definer's unqualified names must not find
    // a temporary table the caller made (an empty audit_sink_cursors would hold nothing back).
    this.addSql(`
      do $$ begin
        execute format('alter function audit_purge(text, timestamptz, bigint, int) set search_path = %I, pg_temp',
                       current_schema());
      end $$;
    `);
  }

  override down(): void {
    this.addSql(`
      drop function if exists audit_purge(text, timestamptz, bigint, int);
      drop function if exists audit_purge_bounds(text, timestamptz, bigint);
      drop table if exists audit_purges;
      drop function if exists audit_purges_guard();
    `);
  }
}
