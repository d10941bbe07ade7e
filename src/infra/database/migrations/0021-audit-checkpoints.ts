import { Migration } from '@mikro-orm/migrations';

/**
 * Signed checkpoints of every audit chain, and the audit tables made append-only against TRUNCATE and
 * DELETE too. A checkpoint holds what the signature covers and nothing the database could derive for
 * itself: the key that signs stays out of PostgreSQL.
 *
 * One trigger function refuses, per statement, what no code path of the application does: UPDATE of an
 * event or a checkpoint, DELETE of a chain head, TRUNCATE of any of them. An owner of the tables (or a
 * superuser) can still `alter table … disable trigger …` on purpose; the application's role, which owns
 * nothing (README, "Running as a non-owner role"), cannot.
 *
 * The one seam: DELETE of events and checkpoints passes when the transaction set `stepguard.audit_purge`
 * to `on` AND the current user is (a member of) the table's owner, i.e. inside a SECURITY DEFINER
 * function owned by the owner, which is how the retention purge will delete what every sink has received.
 * Any role can set the setting; only the owner's code gets past the second check.
 */
export class Migration0021AuditCheckpoints extends Migration {
  override name = '0021-audit-checkpoints';

  override up(): void {
    this.addSql(`
      create table audit_checkpoints (
        chain_key text not null,
        number bigint not null,
        seq bigint not null,
        head_hash text not null,
        time timestamptz not null,
        previous text,
        key_id text not null,
        signature text not null,
        primary key (chain_key, number)
      );

      create function audit_purge_allowed(p_table oid) returns boolean language sql stable as $$
        select coalesce(current_setting('stepguard.audit_purge', true), '') = 'on'
           and pg_has_role(current_user, (select relowner from pg_class where oid = p_table), 'MEMBER')
      $$;

      create function audit_append_only() returns trigger language plpgsql as $$
      begin
        if TG_OP = 'DELETE' and TG_TABLE_NAME <> 'audit_chains' and audit_purge_allowed(TG_RELID) then
          return null;
        end if;
        raise exception '% on % is refused: the audit log is append-only', TG_OP, TG_TABLE_NAME
          using errcode = 'insufficient_privilege',
                hint = 'an owner of the table can disable its triggers deliberately (see docs/audit-verification.md)';
      end $$;

      drop trigger audit_events_append_only on audit_events;
      drop function audit_events_append_only();
      create trigger audit_events_append_only before update or delete or truncate on audit_events
        for each statement execute function audit_append_only();
      -- audit_append moves the head with an UPDATE: only deleting it is refused.
      create trigger audit_chains_append_only before delete or truncate on audit_chains
        for each statement execute function audit_append_only();
      create trigger audit_checkpoints_append_only before update or delete or truncate on audit_checkpoints
        for each statement execute function audit_append_only();
    `);
  }

  override down(): void {
    this.addSql(`
      drop table if exists audit_checkpoints;
      drop trigger if exists audit_chains_append_only on audit_chains;
      drop trigger if exists audit_events_append_only on audit_events;
      drop function if exists audit_append_only();
      drop function if exists audit_purge_allowed(oid);
      create function audit_events_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_events is append-only';
      end $$;
      create trigger audit_events_append_only before update or delete on audit_events
        for each row execute function audit_events_append_only();
    `);
  }
}
