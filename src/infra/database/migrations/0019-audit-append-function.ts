import { Migration } from '@mikro-orm/migrations';

/**
 * Appending to an audit chain in one round trip: the function locks the chain's head, hashes and inserts
 * each entry and moves the head, so the head stays locked for one statement and the commit instead of
 * three round trips. The hash is the recipe of docs/audit-hash.md: the caller sends the entry's RFC 8785
 * text in two parts around its `seq` (`pre` ends with `"seq":"`, `post` starts with the closing quote),
 * since only the head knows the next `seq`; the function prepends the previous hash and digests.
 */
export class Migration0019AuditAppendFunction extends Migration {
  override name = '0019-audit-append-function';

  override up(): void {
    this.addSql(`
      create function audit_append(p_chain_key text, p_genesis text, p_events jsonb)
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
      end $$;
    `);
  }

  override down(): void {
    this.addSql('drop function if exists audit_append(text, text, jsonb);');
  }
}
