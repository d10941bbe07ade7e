import type { MfaOverview } from '../../factors/index.js';

/** One user's MFA as `/v1/me` shows it: active factors, unused backup codes, recorded scope start. */
export interface MfaOfUser {
  factors: MfaOverview['factors'];
  backupCodesRemaining: number;
  scopeStartedAt: Date | null;
}

export interface MfaOfUserRow {
  factors: {
    id: string;
    type: MfaOverview['factors'][number]['type'];
    label: string;
    created_ms: number;
    last_used_ms: number | null;
  }[];
  backup_codes: number;
  started_ms: string | null;
}

// One round trip for three slices' rows (factors', backup codes', policy's scope start), each an indexed
// lookup by (tenant, user). Instants travel as epoch milliseconds: raw rows carry timestamps as text.
export const MFA_OF_USER_SQL = `
  select
    coalesce((
      select json_agg(json_build_object(
               'id', f.id, 'type', f.type, 'label', f.label,
               'created_ms', (extract(epoch from f.created_at) * 1000)::bigint,
               'last_used_ms', (extract(epoch from f.last_used_at) * 1000)::bigint)
             order by f.created_at, f.id)
        from factors f
       where f.tenant_id = ? and f.user_id = ? and f.status = 'active'
    ), '[]') as factors,
    (select count(*) from backup_codes b where b.tenant_id = ? and b.user_id = ? and b.used_at is null)::int
      as backup_codes,
    (select (extract(epoch from s.started_at) * 1000)::bigint from mfa_scope_starts s
      where s.tenant_id = ? and s.user_id = ?) as started_ms`;

export const mfaOfUserFrom = (row: MfaOfUserRow): MfaOfUser => ({
  factors: row.factors.map((f) => ({
    id: f.id,
    type: f.type,
    label: f.label,
    createdAt: new Date(Number(f.created_ms)).toISOString(),
    lastUsedAt: f.last_used_ms === null ? null : new Date(Number(f.last_used_ms)).toISOString(),
  })),
  backupCodesRemaining: row.backup_codes,
  scopeStartedAt: row.started_ms === null ? null : new Date(Number(row.started_ms)),
});
