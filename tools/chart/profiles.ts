import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * One `ci/<name>-values.yaml` of the chart (the files chart-testing installs). A profile that needs an API
 * the chart gates on `.Capabilities` says so in a comment, read here and passed to helm as `--api-versions`:
 *
 *   # chart-check: api-versions monitoring.coreos.com/v1/ServiceMonitor monitoring.coreos.com/v1/PrometheusRule
 */
export interface Profile {
  name: string;
  /** Relative to the chart directory. */
  file: string;
  apiVersions: string[];
  values: Record<string, unknown>;
  /** Where the profile sets a non-empty `existingSecret` (any depth), and the Secret's name. */
  existingSecret?: { path: string[]; name: string };
  /** Secrets the profile names by `secretName` (e.g. in `extraVolumes`): the operator's, made before install. */
  namedSecrets: string[];
}

const API_VERSIONS = /^#\s*chart-check:\s*api-versions\s+(.+)$/gm;

export function readProfiles(chartDir: string): Profile[] {
  const ciDir = join(chartDir, 'ci');
  const files = readdirSync(ciDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('-values.yaml'))
    .map((entry) => entry.name)
    .sort();
  return files.map((name) => {
    const text = readFileSync(join(ciDir, name), 'utf8');
    const values = (parse(text) ?? {}) as Record<string, unknown>;
    return {
      name: name.slice(0, -'-values.yaml'.length),
      file: join('ci', name),
      apiVersions: [...text.matchAll(API_VERSIONS)].flatMap((match) => match[1]!.split(/[\s,]+/).filter(Boolean)),
      values,
      existingSecret: findExistingSecret(values, []),
      namedSecrets: findSecretNames(values),
    };
  });
}

function findExistingSecret(value: unknown, path: string[]): Profile['existingSecret'] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'existingSecret' && typeof child === 'string' && child !== '')
      return { path: [...path, key], name: child };
    const found = findExistingSecret(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function findSecretNames(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'secretName' && typeof child === 'string' ? [child] : findSecretNames(child),
  );
}
