import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { helmError, helmTemplate } from './helm.js';
import type { Profile } from './profiles.js';
import type { CheckResult, Finding } from './results.js';

/** A value no Stepguard chart has: helm must refuse it by name. */
export const UNKNOWN_KEY = 'chartCheckUnknownKey';
const WRONG_TYPE_VALUE = 'chart-check-wrong-type';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  $ref?: string;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

/** The schema of the value at `path`, following local `$ref`s; undefined where the schema says nothing. */
export function schemaAt(root: JsonSchema, path: string[]): JsonSchema | undefined {
  const resolve = (node: JsonSchema | undefined): JsonSchema | undefined => {
    if (!node?.$ref?.startsWith('#/')) return node;
    const target = node.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], root);
    return resolve(target as JsonSchema | undefined);
  };
  let node = resolve(root);
  for (const key of path) {
    const additional = typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined;
    node = resolve(node?.properties?.[key] ?? additional);
  }
  return node;
}

/**
 * The numbers and booleans of values.yaml that the schema describes, unless it takes a string there too
 * on purpose (e.g. `25%`, also as one of its `oneOf`/`anyOf` alternatives): a string is the wrong type for them, which helm must refuse. Values inside an
 * object the schema leaves open (a pod securityContext passed through) are Kubernetes' to check.
 */
export function wrongTypePaths(values: unknown, schema: JsonSchema, path: string[] = []): string[][] {
  if (typeof values === 'number' || typeof values === 'boolean') {
    const node = schemaAt(schema, path);
    if (!node) return [];
    const takesString = (n: JsonSchema) => (Array.isArray(n.type) ? n.type : [n.type]).includes('string');
    const alternatives = [...(node.oneOf ?? []), ...(node.anyOf ?? [])];
    return takesString(node) || alternatives.some(takesString) ? [] : [path];
  }
  if (!values || typeof values !== 'object' || Array.isArray(values)) return [];
  return Object.entries(values).flatMap(([key, child]) => wrongTypePaths(child, schema, [...path, key]));
}

/** `--set` syntax: dots inside a key are escaped. */
const setPath = (path: string[]) => path.map((key) => key.replaceAll('.', '\\.')).join('.');

interface BadValues {
  what: string;
  set: string[];
  /** What helm's message must name: one finding for each it leaves out. */
  mentions: { text: string; missing: string }[];
}

/** Renders the base profile with bad values on top: helm must fail, naming each of `mentions`. */
async function expectRefusal(chartDir: string, base: Profile, { what, set, mentions }: BadValues) {
  const run = await helmTemplate(
    chartDir,
    [join(chartDir, base.file)],
    [...set, ...base.apiVersions.flatMap((api) => ['--api-versions', api])],
  );
  const object = `values with ${what}`;
  const findings: Finding[] = run.ok
    ? [{ object, message: `helm template accepted them (on ${base.file})` }]
    : mentions
        .filter(({ text }) => !helmError(run).includes(text))
        .map(({ missing }) => ({ object, message: `${missing}; helm said: ${helmError(run)}` }));
  return { rule: 'values-schema', scope: 'chart', subject: `${object} refused`, findings } satisfies CheckResult;
}

/**
 * values.schema.json refuses bad values at `helm template`: an unknown key, a string for every number and
 * boolean of values.yaml, and an existingSecret together with inline secrets. Each is rendered on a profile with inline secrets.
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

  const cases: BadValues[] = [
    {
      what: `an unknown key ${UNKNOWN_KEY}`,
      set: ['--set', `${UNKNOWN_KEY}=true`],
      mentions: [{ text: UNKNOWN_KEY, missing: `helm template refused them without naming ${UNKNOWN_KEY}` }],
    },
  ];
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as JsonSchema;
  const scalars = wrongTypePaths(parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')), schema);
  if (scalars.length > 0) {
    cases.push({
      what: `a string for each of the ${scalars.length} numbers and booleans of values.yaml`,
      set: scalars.flatMap((path) => ['--set-string', `${setPath(path)}=${WRONG_TYPE_VALUE}`]),
      // helm 4 names each refused value by its JSON pointer: '/api/replicas'.
      mentions: scalars.map((path) => ({
        text: `'/${path.map((key) => key.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}'`,
        missing: `helm template accepted a string for ${path.join('.')}`,
      })),
    });
  }
  const existing = profiles.find((profile) => profile.existingSecret)?.existingSecret;
  if (existing) {
    cases.push({
      what: `existingSecret (${existing.path.join('.')}) and the inline secrets of ${base.file}`,
      set: ['--set-string', `${setPath(existing.path)}=${existing.name}`],
      mentions: [{ text: 'existingSecret', missing: 'helm template refused them without naming existingSecret' }],
    });
  }
  return [
    ...(await Promise.all(cases.map((bad) => expectRefusal(chartDir, base, bad)))),
    ...(existing
      ? []
      : fail('ci/', 'no profile sets existingSecret: neither it nor its conflict with inline secrets is checked')),
  ];
}
