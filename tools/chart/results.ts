/** What chart:check checks, each with a name its output lines and the tests use. */
export type RuleId =
  | 'lint'
  | 'render'
  | 'schema'
  | 'crd-gated'
  | 'hardened'
  | 'resources'
  | 'probes'
  | 'selectors'
  | 'migration-hook'
  | 'existing-secret'
  | 'image-tag'
  | 'grace-period'
  | 'service-account-token'
  | 'settings-known'
  | 'settings-production'
  | 'values-schema';

/** One broken invariant: the object it is in (`Kind/name`, or a file) and what is wrong. */
export interface Finding {
  object: string;
  message: string;
}

/** One check of one profile (`ci/<scope>-values.yaml`) or of the whole chart (scope `chart`). */
export interface CheckResult {
  rule: RuleId;
  scope: string;
  /** What was checked, when the rule alone does not say (the values-schema cases). */
  subject?: string;
  findings: Finding[];
}

export const failed = (results: CheckResult[]) => results.filter((result) => result.findings.length > 0);

/** The output: one line per passed check, one per finding of a failed one. */
export function resultLines(results: CheckResult[]): string[] {
  return results.flatMap(({ rule, scope, subject, findings }) =>
    findings.length === 0
      ? [`ok   ${scope} ${rule}${subject ? ` (${subject})` : ''}`]
      : findings.map(({ object, message }) => `FAIL ${scope} ${rule}: ${object}: ${message}`),
  );
}
