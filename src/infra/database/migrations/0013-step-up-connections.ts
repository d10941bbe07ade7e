import { Migration } from '@mikro-orm/migrations';

/**
 * Step-up over live connections: a session can owe a fresh factor check before its sockets may connect
 * again (set by the Disconnect API, cleared by `POST /v1/auth/step-up`), and remembers when a factor was
 * last verified in it, for the tenant's `connectionPolicy.totpPriorConnection`.
 */
export class Migration0013StepUpConnections extends Migration {
  override name = '0013-step-up-connections';

  override up(): void {
    this.addSql(`
      alter table sessions
        add column step_up_required_at timestamptz,
        add column step_up_reason text,
        add column mfa_verified_at timestamptz;
      update sessions set mfa_verified_at = authenticated_at
        where amr && array['otp', 'email', 'backup_code']::text[];
    `);
  }

  override down(): void {
    this.addSql(`
      alter table sessions
        drop column if exists step_up_required_at,
        drop column if exists step_up_reason,
        drop column if exists mfa_verified_at;
    `);
  }
}
