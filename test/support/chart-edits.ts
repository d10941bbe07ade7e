/** Text and schema edits of a chart's files, for the breakers (chart-breakers.ts). */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );

export type Files = (chartDir: string) => string[];
export const templates: Files = (chartDir) => walk(join(chartDir, 'templates'));
/** Templates, values.yaml and the ci profiles: wherever a chart may spell a setting. */
export const everywhere: Files = (chartDir) => [
  ...templates(chartDir),
  join(chartDir, 'values.yaml'),
  ...walk(join(chartDir, 'ci')),
];
export const rendering =
  (kind: string): Files =>
  (chartDir) =>
    templates(chartDir).filter((file) => new RegExp(`^kind: ${kind}\\s*$`, 'm').test(readFileSync(file, 'utf8')));
export const notRendering =
  (kind: string): Files =>
  (chartDir) =>
    templates(chartDir).filter((file) => !rendering(kind)(chartDir).includes(file));

/** Rewrites `files` with `change`; throws when nothing changed (the breaker does not fit the chart). */
export function rewrite(chartDir: string, files: Files, change: (text: string) => string, breaks: string): void {
  let changed = 0;
  for (const file of files(chartDir)) {
    const before = readFileSync(file, 'utf8');
    const after = change(before);
    if (after !== before) {
      writeFileSync(file, after);
      changed++;
    }
  }
  if (changed === 0)
    throw new Error(`breaker "${breaks}" found nothing to change in ${chartDir}: adapt it to this chart`);
}

/** Deletes each line `key` matches together with the lines indented below it (its YAML block). */
export function deleteBlocks(text: string, key: RegExp): string {
  let blockIndent: number | undefined;
  return text
    .split('\n')
    .filter((line) => {
      const indent = line.search(/\S/);
      if (blockIndent !== undefined && (indent === -1 || indent > blockIndent)) return false;
      blockIndent = key.test(line) ? indent : undefined;
      return blockIndent === undefined;
    })
    .join('\n');
}

/** Changes values.schema.json; throws when nothing changed. */
export function editSchema(chartDir: string, breaks: string, change: (schema: Record<string, unknown>) => void): void {
  const file = join(chartDir, 'values.schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const before = JSON.stringify(schema);
  change(schema);
  if (JSON.stringify(schema) === before) throw new Error(`breaker "${breaks}" changed nothing in ${file}`);
  writeFileSync(file, JSON.stringify(schema, null, 2));
}

/** JSON Schema keywords that make one value depend on another. */
const CONDITIONALS = ['if', 'then', 'else', 'not', 'allOf', 'anyOf', 'oneOf', 'dependencies', 'dependentSchemas'];
export function dropConditionals(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  for (const key of Object.keys(node)) {
    if (CONDITIONALS.includes(key)) delete (node as Record<string, unknown>)[key];
    else dropConditionals((node as Record<string, unknown>)[key]);
  }
}
