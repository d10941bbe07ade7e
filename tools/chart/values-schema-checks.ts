import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helmError, helmTemplate } from './helm.js';
import type { Profile } from './profiles.js';
import type { CheckResult, Finding } from './results.js';

/** A value no Stepguard chart has: helm must refuse it by name. */
export const UNKNOWN_KEY = 'chartCheckUnknownKey';
const WRONG_TYPE_VALUE = 'chart-check-wrong-type';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
}

/** The first value (depth first, in file order) that values.schema.json types as a number or boolean. */
export function scalarValuePath(schema: JsonSchema, path: string[] = []): string[] | undefined {
  if (path.length > 0 && (schema.type === 'integer' || schema.type === 'number' || schema.type === 'boolean'))
    return path;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const found = scalarValuePath(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** `--set` syntax: dots inside a key are escaped. */
const setPath = (path: string[]) => path.map((key) => key.replaceAll('.', '\\.')).join('.');

/** Renders the base profile with bad values on top: helm must fail, with a message naming `mentions`. */
async function expectRefusal(chartDir: string, base: Profile, what: string, set: string[], mentions: string) {
  const run = await helmTemplate(
    chartDir,
    [join(chartDir, base.file)],
    [...set, ...base.apiVersions.flatMap((api) => ['--api-versions', api])],
  );
  const object = `values with ${what}`;
  const findings: Finding[] = run.ok
    ? [{ object, message: `helm template accepted them (on ${base.file})` }]
    : helmError(run).includes(mentions)
      ? []
      : [{ object, message: `helm template refused them without naming ${mentions}: ${helmError(run)}` }];
  return { rule: 'values-schema', scope: 'chart', subject: `${object} refused`, findings } satisfies CheckResult;
}

/**
 * values.schema.json refuses bad values at `helm template`: an unknown key, a wrong type, and an
 * existingSecret together with inline secrets. Each is rendered on a profile with inline secrets.
 */
export async function valuesSchemaChecks(chartDir: string, profiles: Profile[]): Promise<CheckResult[]> {
  const fail = (object: string, message: string): CheckResult[] => [
    { rule: 'values-schema', scope: 'chart', findings: [{ object, message }] },
  ];
  const base =
    profiles.find((profile) => profile.name === 'default' && !profile.existingSecret) ??
    profiles.find((profile) => !profile.existingSecret);
  if (!base) return fail('ci/', 'no profile with inline secrets to render bad values on');
  const schemaFile = join(chartDir, 'values.schema.json');
  if (!existsSync(schemaFile)) return fail('values.schema.json', 'is missing: helm would accept any values');

  const checks = [
    expectRefusal(chartDir, base, `an unknown key ${UNKNOWN_KEY}`, ['--set', `${UNKNOWN_KEY}=true`], UNKNOWN_KEY),
  ];
  const scalar = scalarValuePath(JSON.parse(readFileSync(schemaFile, 'utf8')) as JsonSchema);
  if (scalar) {
    const what = `a string for ${scalar.join('.')}`;
    checks.push(
      expectRefusal(chartDir, base, what, ['--set-string', `${setPath(scalar)}=${WRONG_TYPE_VALUE}`], scalar.at(-1)!),
    );
  }
  const existing = profiles.find((profile) => profile.existingSecret)?.existingSecret;
  if (existing) {
    const what = `existingSecret (${existing.path.join('.')}) and the inline secrets of ${base.file}`;
    checks.push(
      expectRefusal(
        chartDir,
        base,
        what,
        ['--set-string', `${setPath(existing.path)}=${existing.name}`],
        'existingSecret',
      ),
    );
  }
  return [
    ...(await Promise.all(checks)),
    ...(scalar ? [] : fail('values.schema.json', 'types no value as a number or boolean to check a wrong type with')),
    ...(existing
      ? []
      : fail('ci/', 'no profile sets existingSecret: neither it nor its conflict with inline secrets is checked')),
  ];
}
