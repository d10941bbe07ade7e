import type { KubernetesObject, V1Container } from '@kubernetes/client-node';
import { renderedData } from '../../../tools/chart/container-env.js';

type Source = 'ConfigMap' | 'Secret';

/**
 * The environment the kubelet gives `container`, from the objects that exist when its pod starts: every
 * `envFrom` ConfigMap and Secret (with its prefix), then `env` (an entry wins over an earlier one of the same
 * name), literal values and `configMapKeyRef`/`secretKeyRef` resolved. A missing object or key that is not
 * `optional` throws, as the kubelet refuses to start the container (CreateContainerConfigError). What a
 * process here cannot be given the same way throws too: `fieldRef`/`resourceFieldRef` values (known only in a
 * cluster) and `$(VAR)` references in literal values, command or args, which the kubelet would expand.
 */
export function containerEnvironment(
  container: V1Container,
  present: readonly KubernetesObject[],
): Record<string, string> {
  const data = renderedData(present);
  const where = `container ${container.name}`;
  const lookup = (source: Source, name: string | undefined, optional: boolean | undefined) => {
    const entries = data.get(`${source}/${name}`);
    if (!entries && !optional) throw new Error(`${where}: ${source} ${name} does not exist when its pod starts`);
    return entries;
  };
  const env: Record<string, string> = {};
  const literals = [...(container.command ?? []), ...(container.args ?? [])];
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const source: Source = from.configMapRef ? 'ConfigMap' : 'Secret';
    const entries = lookup(source, ref?.name, ref?.optional) ?? {};
    for (const [key, value] of Object.entries(entries)) env[`${from.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) {
      env[variable.name] = variable.value ?? '';
      literals.push(env[variable.name]!);
      continue;
    }
    const ref = from.configMapKeyRef ?? from.secretKeyRef;
    const source: Source = from.configMapKeyRef ? 'ConfigMap' : 'Secret';
    if (!ref) throw new Error(`${where}: ${variable.name} has a value known only in a cluster`);
    const entries = lookup(source, ref.name, ref.optional);
    if (entries && ref.key in entries) env[variable.name] = entries[ref.key]!;
    else if (!ref.optional) throw new Error(`${where}: ${variable.name}: ${source} ${ref.name} has no key ${ref.key}`);
  }
  const expanded = literals.find((v) => /\$\([A-Za-z_][A-Za-z0-9_]*\)/.test(v));
  if (expanded !== undefined) throw new Error(`${where}: "${expanded}" needs the kubelet's $(VAR) expansion`);
  return env;
}
