import type { KubernetesObject, V1ConfigMap, V1Container, V1Secret } from '@kubernetes/client-node';
import type { RenderedObject } from './manifests.js';

/** A container's environment as Kubernetes would build it from the render. */
export interface ContainerEnv {
  /** Every variable the container sets: `env` names and the keys `envFrom` brings from rendered objects. */
  names: string[];
  /** Their values, where the render holds them (literals, rendered ConfigMaps and Secrets). */
  values: Record<string, string>;
  /** The variables whose values come from a rendered Secret. */
  secretValues: Record<string, string>;
  /** Variables read from the `existingSecret` (name → key): set, but their values are not in the render. */
  fromExistingSecret: Map<string, string>;
  /** References Kubernetes would not start the container with, or whose variables cannot be known. */
  problems: string[];
}

type Source = { kind: 'ConfigMap' | 'Secret'; name: string };

/** Each rendered ConfigMap's data and Secret's decoded data (and stringData), by `Kind/name`. */
export function renderedData(objects: readonly KubernetesObject[]): Map<string, Record<string, string>> {
  const data = new Map<string, Record<string, string>>();
  for (const object of objects) {
    const name = `${object.kind}/${object.metadata?.name}`;
    if (object.kind === 'ConfigMap') data.set(name, (object as V1ConfigMap).data ?? {});
    if (object.kind === 'Secret') {
      const { data: encoded, stringData } = object as V1Secret;
      const decoded = Object.entries(encoded ?? {}).map(([key, b64]) => [key, Buffer.from(b64, 'base64').toString()]);
      data.set(name, { ...Object.fromEntries(decoded), ...stringData });
    }
  }
  return data;
}

export function containerEnv(
  container: V1Container,
  objects: RenderedObject[],
  existingSecret: string | undefined,
): ContainerEnv {
  const data = renderedData(objects.map(({ typed }) => typed));
  const env: ContainerEnv = { names: [], values: {}, secretValues: {}, fromExistingSecret: new Map(), problems: [] };
  // A later entry replaces an earlier one of the same name, as in Kubernetes (env after envFrom).
  const set = (name: string, value: string | undefined, from?: Source) => {
    if (!env.names.includes(name)) env.names.push(name);
    delete env.values[name];
    delete env.secretValues[name];
    env.fromExistingSecret.delete(name);
    if (value !== undefined) env.values[name] = value;
    if (value !== undefined && from?.kind === 'Secret') env.secretValues[name] = value;
  };
  const isExisting = (source: Source) => source.kind === 'Secret' && source.name === existingSecret;

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref?.name) continue;
    const source: Source = { kind: from.configMapRef ? 'ConfigMap' : 'Secret', name: ref.name };
    const entries = data.get(`${source.kind}/${source.name}`);
    if (entries) for (const [key, value] of Object.entries(entries)) set(`${from.prefix ?? ''}${key}`, value, source);
    else if (isExisting(source)) {
      env.problems.push(
        `envFrom takes every key of the existing Secret ${source.name}: name each setting (secretKeyRef)`,
      );
    } else if (!ref.optional) env.problems.push(`envFrom ${source.kind} ${source.name} is not rendered`);
  }

  for (const variable of container.env ?? []) {
    const keyRef = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    if (!keyRef) {
      // fieldRef and resourceFieldRef values exist only in a cluster: the name is set, its value unknown here.
      set(variable.name, variable.valueFrom ? undefined : (variable.value ?? ''));
      continue;
    }
    const source: Source = { kind: variable.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap', name: keyRef.name ?? '' };
    const entries = data.get(`${source.kind}/${source.name}`);
    if (entries && keyRef.key in entries) set(variable.name, entries[keyRef.key], source);
    else if (!entries && isExisting(source)) {
      set(variable.name, undefined);
      env.fromExistingSecret.set(variable.name, keyRef.key);
    } else if (!keyRef.optional) {
      env.problems.push(
        entries
          ? `${variable.name}: ${source.kind} ${source.name} has no key ${keyRef.key}`
          : `${variable.name}: ${source.kind} ${source.name} is not rendered${source.kind === 'Secret' ? ' and is not the existingSecret' : ''}`,
      );
    }
  }
  return env;
}
