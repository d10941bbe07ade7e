import {
  type KubernetesObject,
  loadAllYaml,
  type V1Container,
  type V1Deployment,
  type V1Job,
  type V1Pod,
  type V1PodSpec,
} from '@kubernetes/client-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { helm, helmError } from '../../../tools/chart/helm.js';

const CHART_DIR = fileURLToPath(new URL('../../../charts/stepguard', import.meta.url));

export interface Release {
  name: string;
  namespace: string;
}

/**
 * charts/stepguard rendered by the real helm (`helm template`, tests and hooks included) with `values` in a
 * values file, as `helm install -f` takes them, parsed by client-node's `loadAllYaml` into typed objects.
 * The file holds secrets: it is written owner-only and removed once helm has read it.
 */
export async function renderChart(release: Release, values: object): Promise<KubernetesObject[]> {
  const dir = await mkdtemp(join(tmpdir(), 'stepguard-chart-values-'));
  try {
    const file = join(dir, 'values.yaml');
    await writeFile(file, stringify(values), { mode: 0o600 });
    const run = await helm(['template', release.name, CHART_DIR, '--namespace', release.namespace, '--values', file]);
    if (!run.ok) throw new Error(`helm template refused the values: ${helmError(run)}`);
    return loadAllYaml(run.stdout) as KubernetesObject[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The one rendered object of `kind` whose `app.kubernetes.io/component` label is `component`. */
export function theObject<T extends KubernetesObject>(
  objects: readonly KubernetesObject[],
  kind: string,
  component: string,
): T {
  const found = objects.filter(
    (o) => o.kind === kind && o.metadata?.labels?.['app.kubernetes.io/component'] === component,
  );
  if (found.length !== 1) throw new Error(`${found.length} ${kind} objects of component ${component} rendered, not 1`);
  return found[0] as T;
}

/** The pod a Deployment, a Job or a bare Pod runs, and its one container (the chart's pods have one each). */
export function podOf(object: KubernetesObject): { spec: V1PodSpec; container: V1Container } {
  const spec =
    object.kind === 'Pod'
      ? (object as V1Pod).spec
      : object.kind === 'Deployment'
        ? (object as V1Deployment).spec?.template.spec
        : object.kind === 'Job'
          ? (object as V1Job).spec?.template.spec
          : undefined;
  const where = `${object.kind}/${object.metadata?.name}`;
  if (!spec) throw new Error(`${where} runs no pod`);
  if (spec.containers.length !== 1 || spec.initContainers?.length) {
    throw new Error(
      `${where}: a pod of one container is modelled here, not ${spec.containers.length} and init containers`,
    );
  }
  return { spec, container: spec.containers[0]! };
}
