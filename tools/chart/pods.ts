import type {
  V1Container,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Job,
  V1Pod,
  V1PodSpec,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { isHelmTest } from './hooks.js';
import type { RenderedObject } from './manifests.js';

/** A pod the chart would run: a workload's template, a Job's, or a bare Pod (the helm test). */
export interface PodTemplate {
  owner: RenderedObject;
  spec: V1PodSpec;
  labels: Record<string, string>;
  /** Serves until replaced (Deployment, StatefulSet, DaemonSet), so it needs probes and a graceful stop. */
  longRunning: boolean;
  helmTest: boolean;
}

export interface ContainerOf {
  pod: PodTemplate;
  container: V1Container;
  init: boolean;
  /** `Kind/name container <name>`, how findings name it. */
  where: string;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

export function podTemplates(objects: RenderedObject[]): PodTemplate[] {
  return objects.flatMap((object): PodTemplate[] => {
    const pod = (spec: V1PodSpec | undefined, labels: Record<string, string> | undefined, longRunning: boolean) =>
      spec ? [{ owner: object, spec, labels: labels ?? {}, longRunning, helmTest: isHelmTest(object) }] : [];
    if (WORKLOAD_KINDS.includes(object.kind)) {
      const template = (object.typed as V1Deployment | V1StatefulSet | V1DaemonSet).spec?.template;
      return pod(template?.spec, template?.metadata?.labels, true);
    }
    if (object.kind === 'Job') {
      const template = (object.typed as V1Job).spec?.template;
      return pod(template?.spec, template?.metadata?.labels, false);
    }
    if (object.kind === 'CronJob') {
      const template = (object.typed as V1CronJob).spec?.jobTemplate.spec?.template;
      return pod(template?.spec, template?.metadata?.labels, false);
    }
    if (object.kind === 'Pod') return pod((object.typed as V1Pod).spec, object.typed.metadata?.labels, false);
    return [];
  });
}

export function containersOf(pod: PodTemplate): ContainerOf[] {
  const entry = (container: V1Container, init: boolean): ContainerOf => ({
    pod,
    container,
    init,
    where: `${pod.owner.ref} ${init ? 'initContainer' : 'container'} ${container.name}`,
  });
  return [
    ...(pod.spec.initContainers ?? []).map((container) => entry(container, true)),
    ...pod.spec.containers.map((container) => entry(container, false)),
  ];
}

export const allContainers = (pods: PodTemplate[]) => pods.flatMap(containersOf);
