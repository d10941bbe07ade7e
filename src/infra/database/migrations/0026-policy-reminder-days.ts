import { Migration } from '@mikro-orm/migrations';

/**
 * Each tenant's policy chooses the days before an enrolment deadline when reminders are e-mailed. Versions
 * saved before have none (null): they keep the server's `MFA_REMINDER_DAYS`, as they did when saved.
 */
export class Migration0026PolicyReminderDays extends Migration {
  override name = '0026-policy-reminder-days';

  override up(): void {
    this.addSql('alter table mfa_policy_versions add column reminder_days integer[] null;');
  }

  override down(): void {
    this.addSql('alter table mfa_policy_versions drop column if exists reminder_days;');
  }
}
