import type { PrincipalRead } from '../../common/access/principal-read.js';
import type { MfaOverview } from '../../factors/index.js';

/** One user's MFA as `/v1/me` shows it: active factors, unused backup codes, recorded scope start. */
export interface MfaOfUser {
  factors: MfaOverview['factors'];
  backupCodesRemaining: number;
  scopeStartedAt: Date | null;
}

interface MfaOfUserJson {
  factors: {
    id: string;
    type: MfaOverview['factors'][number]['type'];
    label: string;
    created_ms: number;
    last_used_ms: number | null;
  }[];
  backup_codes: number;
  started_ms: number | null;
}

/**
 * Read with the session that authenticates `/v1/me`: three slices' rows (factors', backup codes', policy's
 * scope start), each an indexed lookup by the session's tenant and user, as one JSON value. Instants
 * travel as epoch milliseconds.
 */
export const MFA_OF_USER: PrincipalRead<MfaOfUser> = {
  alias: 'mfa_of_user',
  expression: () => ({
    sql: `json_build_object(
      'factors', coalesce((
        select json_agg(json_build_object(
                 'id', f.id, 'type', f.type, 'label', f.label,
                 'created_ms', (extract(epoch from f.created_at) * 1000)::bigint,
                 'last_used_ms', (extract(epoch from f.last_used_at) * 1000)::bigint)
               order by f.created_at, f.id)
          from factors f
         where f.tenant_id = s.tenant_id and f.user_id = s.user_id and f.status = 'active'), '[]'),
      'backup_codes', (select count(*) from backup_codes b
                        where b.tenant_id = s.tenant_id and b.user_id = s.user_id and b.used_at is null),
      'started_ms', (select (extract(epoch from m.started_at) * 1000)::bigint from mfa_scope_starts m
                      where m.tenant_id = s.tenant_id and m.user_id = s.user_id))`,
    params: [],
  }),
  from: (value) => {
    const json = value as MfaOfUserJson;
    return {
      factors: json.factors.map((f) => ({
        id: f.id,
        type: f.type,
        label: f.label,
        createdAt: new Date(f.created_ms).toISOString(),
        lastUsedAt: f.last_used_ms === null ? null : new Date(f.last_used_ms).toISOString(),
      })),
      backupCodesRemaining: json.backup_codes,
      scopeStartedAt: json.started_ms === null ? null : new Date(json.started_ms),
    };
  },
};
