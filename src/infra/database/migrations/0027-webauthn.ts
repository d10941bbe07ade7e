import { Migration } from '@mikro-orm/migrations';

/**
 * Passkeys (WebAuthn) as a factor: the credential's id, public key (COSE, base64url), signature counter,
 * transports, AAGUID and backup state live on its factor row. Ceremony challenges are kept server-side,
 * only as hashes, single-use and short-lived. A session remembers its last user-verified assertion (the
 * biometric/PIN connection policy asks for one). The policy gains that connection rule, passwordless sign-in
 * with a passkey, and the roles only a passkey satisfies; versions saved before have none of them.
 */
export class Migration0027Webauthn extends Migration {
  override name = '0027-webauthn';

  override up(): void {
    this.addSql(`
      alter table factors drop constraint factors_type_check;
      alter table factors add constraint factors_type_check check (type in ('totp', 'email', 'webauthn'));
      alter table factors
        add column credential_id text,
        add column public_key text,
        add column sign_count bigint,
        add column transports text[],
        add column aaguid text,
        add column backed_up boolean;
      alter table factors add constraint factors_webauthn_credential_check
        check (type <> 'webauthn' or status <> 'active'
               or (credential_id is not null and public_key is not null and sign_count is not null));
      -- A credential belongs to one user: the authenticator answers for it alone.
      create unique index factors_credential_id_unique on factors (credential_id) where credential_id is not null;

      create table webauthn_challenges (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        user_id uuid references users(id) on delete cascade,
        purpose text not null check (purpose in ('registration', 'sign_in', 'step_up', 'passwordless')),
        bound_to uuid,
        challenge_hash text not null,
        user_verification_required boolean not null,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        used_at timestamptz
      );
      create index webauthn_challenges_bound_to_index on webauthn_challenges (bound_to);
      create index webauthn_challenges_user_id_index on webauthn_challenges (user_id);
      create index webauthn_challenges_expires_at_index on webauthn_challenges (expires_at);

      alter table sessions add column user_verified_at timestamptz;
      alter table mfa_challenges add column set_up_methods text[];

      alter table mfa_policy_versions
        add column biometric_prior_connection boolean not null default false,
        add column passkey_sign_in boolean not null default false,
        add column phishing_resistant_roles text[] not null default '{}';
    `);
  }

  override down(): void {
    this.addSql(`
      alter table mfa_policy_versions
        drop column if exists biometric_prior_connection,
        drop column if exists passkey_sign_in,
        drop column if exists phishing_resistant_roles;
      alter table mfa_challenges drop column if exists set_up_methods;
      alter table sessions drop column if exists user_verified_at;
      drop table if exists webauthn_challenges;
      delete from factors where type = 'webauthn';
      drop index if exists factors_credential_id_unique;
      alter table factors drop constraint if exists factors_webauthn_credential_check;
      alter table factors
        drop column credential_id, drop column public_key, drop column sign_count,
        drop column transports, drop column aaguid, drop column backed_up;
      alter table factors drop constraint factors_type_check;
      alter table factors add constraint factors_type_check check (type in ('totp', 'email'));
    `);
  }
}
