import { allContainers } from '../pods.js';
import type { Finding } from '../results.js';
import type { Rule } from './rule.js';

/** Every container requests CPU and memory and has a memory limit (a CPU limit would only throttle). */
export const resourcesRule: Rule = {
  id: 'resources',
  check: ({ pods }) =>
    allContainers(pods).flatMap(({ container, where }): Finding[] => {
      const { requests = {}, limits = {} } = container.resources ?? {};
      const missing = [
        requests.cpu === undefined && 'requests.cpu',
        requests.memory === undefined && 'requests.memory',
        limits.memory === undefined && 'limits.memory',
      ].filter(Boolean);
      return missing.length ? [{ object: where, message: `resources must set ${missing.join(', ')}` }] : [];
    }),
};
