/**
 * The Helm chart's README, generated from its values: every key of charts/stepguard/values.yaml with the
 * `# --` comment above it, its type and its default, set into charts/stepguard/README.tpl.md (the prose) and
 * formatted by Prettier as `npm run lint` expects. A key without a `# --` comment is an error, so no value
 * goes undocumented.
 *
 *   npm run chart:readme          rewrites charts/stepguard/README.md
 *
 * test/unit/chart-readme.spec.ts fails when the README is stale. Node runs this file as it is (type stripping).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { isMap, isScalar, parse, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

export const CHART_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'charts', 'stepguard');

/** One documented key: its dotted path, the type and default its value shows, and its `# --` text. */
export interface ValueDoc {
  path: string;
  type: string;
  default: string;
  description: string;
  /** A map whose keys are documented one by one (its own row has no default). */
  section: boolean;
}

/** Every key of `valuesYaml`, in document order, parents before their children. */
export function documentedValues(valuesYaml: string): ValueDoc[] {
  const doc = parseDocument(valuesYaml);
  if (doc.errors.length > 0) throw new Error(`values.yaml: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) throw new Error('values.yaml: the top level must be a map');
  return walk(doc.contents, '');
}

function walk(map: YAMLMap, prefix: string): ValueDoc[] {
  return map.items.flatMap((pair, index) => {
    const path = `${prefix}${String(keyOf(pair))}`;
    // The yaml parser puts the comment above a map's first key on the map itself.
    const comment =
      (isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? (index === 0 ? map.commentBefore : null);
    const description = descriptionOf(comment);
    if (description === undefined) throw new Error(`values.yaml: ${path} has no "# --" comment above it`);
    const value = pair.value as Node | null;
    if (isMap(value) && value.items.length > 0) {
      return [{ path, type: 'object', default: '', description, section: true }, ...walk(value, `${path}.`)];
    }
    const json: unknown = value === null ? null : value.toJSON();
    return [{ path, type: typeOf(json), default: JSON.stringify(json), description, section: false }];
  });
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

/** The text from the comment's last line starting with `--` to its end, joined into one line. */
function descriptionOf(comment: string | null | undefined): string | undefined {
  const lines = (comment ?? '').split('\n').map((line) => line.trim());
  const start = lines.findLastIndex((line) => line.startsWith('--'));
  if (start < 0) return undefined;
  return lines
    .slice(start)
    .map((line, i) => (i === 0 ? line.slice(2) : line).trim())
    .filter(Boolean)
    .join(' ');
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return typeof value === 'object' ? 'object' : typeof value;
}

const cell = (text: string) => text.replaceAll('|', '\\|');
const code = (text: string) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

function row(value: ValueDoc): string {
  return `| ${code(value.path)} | ${value.type} | ${value.section ? '' : cell(code(value.default))} | ${cell(value.description)} |`;
}

/** Sections per top-level map (a heading, its description, a table of its keys); top-level leaves first. */
export function valuesReference(valuesYaml: string): string {
  const values = documentedValues(valuesYaml);
  const header = ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |'];
  const topLeaves = values.filter((v) => !v.path.includes('.') && !v.section);
  const sections = values
    .filter((v) => !v.path.includes('.') && v.section)
    .map((top) => {
      const inside = values.filter((v) => v.path.startsWith(`${top.path}.`));
      return [`### ${code(top.path)}`, '', top.description, '', ...header, ...inside.map(row)].join('\n');
    });
  const general = ['### General', '', ...header, ...topLeaves.map(row)].join('\n');
  return [general, ...sections].join('\n\n');
}

/** The README: the template with its placeholders filled, formatted by Prettier with the project's settings. */
export async function renderChartReadme(chartDir: string = CHART_DIR): Promise<string> {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, string>;
  const template = readFileSync(join(chartDir, 'README.tpl.md'), 'utf8');
  const filled = template
    .replaceAll('{{ version }}', chart.version!)
    .replaceAll('{{ appVersion }}', chart.appVersion!)
    .replaceAll('{{ kubeVersion }}', chart.kubeVersion!)
    .replace('{{ values }}', valuesReference(readFileSync(join(chartDir, 'values.yaml'), 'utf8')));
  const readme = join(chartDir, 'README.md');
  const options = (await prettier.resolveConfig(readme)) ?? {};
  return prettier.format(filled, { ...options, filepath: readme });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const readme = join(CHART_DIR, 'README.md');
  writeFileSync(readme, await renderChartReadme());
  console.log(`wrote ${readme}`);
}
