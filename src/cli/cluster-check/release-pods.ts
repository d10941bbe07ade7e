import type { V1Pod, V1PodList } from '@kubernetes/client-node';

/** The chart's labels (CHART-CONTRACT): a release's objects of one component carry these three. */
export function componentSelector(release: string, component: 'api' | 'migrate'): string {
  return [
    'app.kubernetes.io/name=stepguard',
    `app.kubernetes.io/instance=${release}`,
    `app.kubernetes.io/component=${component}`,
  ].join(',');
}

/** The container port the chart names for the api's HTTP and socket.io traffic. */
export const API_PORT_NAME = 'http';

/** An api node to check: a name for the report and the base URL its HTTP port answers on. */
export interface ApiNode {
  name: string;
  url: string;
}

export type PodStanding = ({ ready: true } & ApiNode) | { ready: false; name: string; why: string };

/**
 * The api pods of a listing as the check sees them, by name: each Ready one with the base URL of its
 * `http` port on the pod IP, each other one with why it cannot be checked. Pods being deleted are left
 * out: a rollout or a scale-down ends them, and the Service has already stopped sending them traffic.
 */
export function apiPodsOf(list: V1PodList): PodStanding[] {
  return list.items
    .filter((pod) => !pod.metadata?.deletionTimestamp)
    .map(standingOf)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function standingOf(pod: V1Pod): PodStanding {
  const name = pod.metadata?.name ?? '(unnamed pod)';
  const conditions = pod.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    // A pod not yet scheduled has no Ready condition: the condition holding it back says why.
    const blocking = ready ?? conditions.find((c) => c.status !== 'True');
    const why = blocking
      ? `; ${blocking.type === 'Ready' ? '' : `${blocking.type} `}${[blocking.reason, blocking.message].filter(Boolean).join(': ')}`
      : '';
    return { ready: false, name, why: `not Ready (phase ${pod.status?.phase ?? 'unknown'}${why})` };
  }
  const ip = pod.status?.podIP;
  if (!ip) return { ready: false, name, why: 'Ready but has no pod IP' };
  const port = pod.spec?.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === API_PORT_NAME);
  if (!port) return { ready: false, name, why: `no container port named "${API_PORT_NAME}"` };
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return { ready: true, name, url: `http://${host}:${port.containerPort}` };
}
