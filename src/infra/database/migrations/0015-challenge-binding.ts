import { Migration } from '@mikro-orm/migrations';

/**
 * Binds what a second factor answers to where it was asked: a login challenge remembers a fingerprint
 * of the password hash that opened it (a password change kills it), and an e-mailed code remembers
 * the challenge (sign-in) or the session (step-up) it was sent for.
 */
export class Migration0015ChallengeBinding extends Migration {
  override name = '0015-challenge-binding';

  override up(): void {
    this.addSql(`
      alter table mfa_challenges add column password_fingerprint text;
      alter table email_codes add column bound_to uuid;
      alter table email_codes drop constraint email_codes_purpose_check;
      alter table email_codes add constraint email_codes_purpose_check
        check (purpose in ('enrollment', 'sign_in', 'step_up'));
    `);
  }

  override down(): void {
    this.addSql(`
      delete from email_codes where purpose = 'step_up';
      alter table email_codes drop constraint email_codes_purpose_check;
      alter table email_codes add constraint email_codes_purpose_check check (purpose in ('enrollment', 'sign_in'));
      alter table email_codes drop column if exists bound_to;
      alter table mfa_challenges drop column if exists password_fingerprint;
    `);
  }
}
