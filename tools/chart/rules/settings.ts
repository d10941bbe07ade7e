import { ConfigError, loadEnv } from '../../../config/load-config.js';
import { ENV_NAMES } from '../../../config/schema.js';
import { containerEnv } from '../container-env.js';
import { allContainers } from '../pods.js';
import type { Finding } from '../results.js';
import type { Rule } from './rule.js';

const SETTINGS = new Set<string>(ENV_NAMES);

/** Every variable the chart sets is a setting of config/schema.ts, and Kubernetes could build it. */
export const settingsKnownRule: Rule = {
  id: 'settings-known',
  check: ({ pods, objects, profile }) =>
    allContainers(pods).flatMap(({ container, where }): Finding[] => {
      const env = containerEnv(container, objects, profile.existingSecret?.name);
      return [
        ...env.names
          .filter((name) => !SETTINGS.has(name))
          .map((name) => ({ object: where, message: `${name} is not a setting in config/schema.ts` })),
        ...env.problems.map((message) => ({ object: where, message })),
      ];
    }),
};

/**
 * The app's own loadEnv accepts each container's environment in production (the image sets
 * NODE_ENV=production). Variables from an existing Secret take what the inline-secret profiles render.
 */
export const settingsProductionRule: Rule = {
  id: 'settings-production',
  check: ({ pods, objects, profile, borrowedSecrets }) =>
    allContainers(pods.filter((pod) => !pod.helmTest)).flatMap(({ container, where }): Finding[] => {
      const env = containerEnv(container, objects, profile.existingSecret?.name);
      const findings: Finding[] = [];
      if (env.values.NODE_ENV !== undefined && env.values.NODE_ENV !== 'production') {
        findings.push({ object: where, message: `NODE_ENV must be production (is ${env.values.NODE_ENV})` });
      }
      const source: Record<string, string> = { ...env.values, NODE_ENV: 'production' };
      for (const [name, key] of env.fromExistingSecret) {
        const borrowed = borrowedSecrets.get(name);
        if (borrowed !== undefined) source[name] = borrowed;
        else {
          findings.push({
            object: where,
            message: `${name} comes from the existing Secret (key ${key}) and no profile with inline secrets renders a value to check it with`,
          });
        }
      }
      try {
        loadEnv(source);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        findings.push({ object: where, message: `loadEnv refuses its environment: ${error.message}` });
      }
      return findings;
    }),
};
