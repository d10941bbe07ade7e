import { envSchema } from '../../../config/schema.js';
import { containerEnv } from '../container-env.js';
import { containersOf } from '../pods.js';
import type { Rule } from './rule.js';

/** Kubernetes' default when a pod sets none. */
const DEFAULT_GRACE_SECONDS = 30;

/** The kubelet's SIGKILL comes after the grace period: it must outlast the app's own shutdown timeout. */
export const gracePeriodRule: Rule = {
  id: 'grace-period',
  check: ({ pods, objects, profile, borrowedSecrets }) =>
    pods
      .filter((pod) => pod.longRunning)
      .flatMap(containersOf)
      .filter(({ init }) => !init)
      .flatMap(({ pod, container, where }) => {
        const grace = pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
        const env = containerEnv(container, objects, profile.existingSecret?.name);
        const raw = env.values.SHUTDOWN_TIMEOUT_SECONDS ?? borrowedSecrets.get('SHUTDOWN_TIMEOUT_SECONDS');
        const shutdown = envSchema.shape.SHUTDOWN_TIMEOUT_SECONDS.safeParse(raw);
        // A value the schema refuses is settings-production's finding; there is no timeout to compare here.
        if (!shutdown.success || grace > shutdown.data) return [];
        return [
          {
            object: where,
            message: `terminationGracePeriodSeconds ${grace} must exceed SHUTDOWN_TIMEOUT_SECONDS ${shutdown.data}`,
          },
        ];
      }),
};
