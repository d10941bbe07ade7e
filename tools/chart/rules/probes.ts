import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { allContainers } from '../pods.js';
import type { Rule } from './rule.js';

const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;

/** The port a probe names that the container does not declare, if any. */
function undeclaredPort(probe: V1Probe, container: V1Container): string | undefined {
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (typeof port !== 'string' || /^\d+$/.test(port)) return undefined;
  return container.ports?.some((declared) => declared.name === port) ? undefined : port;
}

/** Every long-running container has startup, readiness and liveness probes on ports it declares. */
export const probesRule: Rule = {
  id: 'probes',
  check: ({ pods }) =>
    allContainers(pods.filter((pod) => pod.longRunning))
      .filter(({ init }) => !init)
      .flatMap(({ container, where }) =>
        PROBES.flatMap((kind) => {
          const probe = container[kind];
          if (!probe) return [{ object: where, message: `${kind} is missing` }];
          const port = undeclaredPort(probe, container);
          return port
            ? [{ object: where, message: `${kind} uses port ${port}, which the container does not declare` }]
            : [];
        }),
      ),
};
