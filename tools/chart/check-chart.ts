import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { containerEnv } from './container-env.js';
import { helm, helmError, helmTemplate } from './helm.js';
import { parseManifests, type RenderedObject } from './manifests.js';
import { allContainers, podTemplates } from './pods.js';
import { readProfiles, type Profile } from './profiles.js';
import type { CheckResult, Finding } from './results.js';
import { RULES } from './rules/index.js';
import { valuesSchemaChecks } from './values-schema-checks.js';

interface ProfileRender {
  profile: Profile;
  results: CheckResult[];
  objects?: RenderedObject[];
}

const result = (rule: CheckResult['rule'], scope: string, findings: Finding[]): CheckResult => ({
  rule,
  scope,
  findings,
});

/** `helm lint --strict` and `helm template` of one profile, as chart-testing runs them. */
async function renderProfile(chartDir: string, profile: Profile): Promise<ProfileRender> {
  const values = join(chartDir, profile.file);
  const [lint, template] = await Promise.all([
    helm(['lint', '--strict', chartDir, '--values', values]),
    helmTemplate(
      chartDir,
      [values],
      profile.apiVersions.flatMap((api) => ['--api-versions', api]),
    ),
  ]);
  const lintResult = result(
    'lint',
    profile.name,
    lint.ok ? [] : [{ object: profile.file, message: lintError(lint.stdout, lint.stderr) }],
  );
  if (!template.ok) {
    return {
      profile,
      results: [lintResult, result('render', profile.name, [{ object: profile.file, message: helmError(template) }])],
    };
  }
  try {
    const objects = parseManifests(template.stdout);
    return { profile, objects, results: [lintResult, result('render', profile.name, [])] };
  } catch (error) {
    return {
      profile,
      results: [lintResult, result('render', profile.name, [{ object: profile.file, message: String(error) }])],
    };
  }
}

/** helm lint reports on stdout: its `[ERROR]`/`[WARNING]` lines, else whatever it said. */
function lintError(stdout: string, stderr: string): string {
  const lines = `${stdout}\n${stderr}`.split('\n').filter((line) => /\[(ERROR|WARNING)\]|^Error/.test(line));
  return (lines.length ? lines : [stderr.trim() || stdout.trim()]).join(' ');
}

/** What the inline-secret profiles render for each secret setting (see RuleContext.borrowedSecrets). */
function borrowedSecrets(renders: ProfileRender[]): Map<string, string> {
  const borrowed = new Map<string, string>();
  for (const { profile, objects } of renders) {
    if (!objects || profile.existingSecret) continue;
    for (const { container } of allContainers(podTemplates(objects))) {
      const env = containerEnv(container, objects, undefined);
      for (const [name, value] of Object.entries(env.secretValues)) if (!borrowed.has(name)) borrowed.set(name, value);
    }
  }
  return borrowed;
}

/** Every check of chart:check on a chart directory: each profile's lint, render and invariants, then the values schema. */
export async function checkChart(chartDir: string): Promise<CheckResult[]> {
  if (!existsSync(join(chartDir, 'Chart.yaml')))
    return [result('render', 'chart', [{ object: chartDir, message: 'is not a chart (no Chart.yaml)' }])];
  const profiles = existsSync(join(chartDir, 'ci')) ? readProfiles(chartDir) : [];
  if (profiles.length === 0)
    return [result('render', 'chart', [{ object: 'ci/', message: 'no ci/*-values.yaml profile to render' }])];

  const renders = await Promise.all(profiles.map((profile) => renderProfile(chartDir, profile)));
  const borrowed = borrowedSecrets(renders);
  const perProfile = await Promise.all(
    renders.map(async ({ profile, objects, results }) => {
      if (!objects) return results;
      const context = { profile, objects, pods: podTemplates(objects), borrowedSecrets: borrowed };
      const ruleResults = await Promise.all(
        RULES.map(async (rule) => result(rule.id, profile.name, await rule.check(context))),
      );
      return [...results, ...ruleResults];
    }),
  );
  return [...perProfile.flat(), ...(await valuesSchemaChecks(chartDir, profiles))];
}
