import { envSchema } from '../../../config/schema.js';
import { containerEnv } from '../container-env.js';
import { hookOf } from '../hooks.js';
import { containersOf } from '../pods.js';
import { podReferences, type PodReference } from '../pod-references.js';
import type { Finding } from '../results.js';
import type { Rule, RuleContext } from './rule.js';

const HOOK_EVENTS = ['pre-install', 'pre-upgrade'];
/** Delete policies that remove a hook object once the hooks have run: the workloads could not read it then. */
const DELETED_AFTER_HOOKS = ['hook-succeeded', 'hook-failed'];
const MIGRATE_ON_START = 'STEPGUARD_MIGRATE_ON_START';

/**
 * The migration Job (component `migrate`) runs before install and upgrade, and everything it reads exists
 * before it: on install, pre-install hooks run before any ordinary object of the release is created.
 */
function jobOrdering({ pods, objects, profile }: RuleContext): Finding[] {
  const jobs = pods.filter(
    (pod) =>
      pod.owner.kind === 'Job' && pod.owner.typed.metadata?.labels?.['app.kubernetes.io/component'] === 'migrate',
  );
  if (jobs.length === 0)
    return [{ object: 'chart', message: 'no migration Job (a Job labelled app.kubernetes.io/component: migrate)' }];
  const readByWorkloads = new Set(
    pods
      .filter((pod) => pod.longRunning)
      .flatMap(podReferences)
      .map(({ kind, name }) => `${kind}/${name}`),
  );
  return jobs.flatMap((job) => {
    const hook = hookOf(job.owner);
    const findings: Finding[] = HOOK_EVENTS.filter((event) => !hook.events.includes(event)).map((event) => ({
      object: job.owner.ref,
      message: `helm.sh/hook must include ${event} (is ${JSON.stringify(hook.events.join(','))})`,
    }));
    // One finding per object the Job needs (named by its first reference), however many variables read it.
    const needs = new Map<string, PodReference>();
    for (const reference of podReferences(job)) {
      if (!needs.has(`${reference.kind}/${reference.name}`))
        needs.set(`${reference.kind}/${reference.name}`, reference);
    }
    for (const reference of needs.values()) {
      const object = objects.find(({ kind, name }) => kind === reference.kind && name === reference.name);
      const what = `${reference.kind}/${reference.name} (${reference.via})`;
      if (!object) {
        const operators = [profile.existingSecret?.name, ...profile.namedSecrets];
        if (reference.kind === 'Secret' && !operators.includes(reference.name)) {
          findings.push({
            object: job.owner.ref,
            message: `reads ${what}, which the chart does not render and the values do not name (existingSecret, secretName)`,
          });
        }
        continue;
      }
      const needed = hookOf(object);
      if (!HOOK_EVENTS.every((event) => needed.events.includes(event))) {
        findings.push({
          object: job.owner.ref,
          message: `reads ${what}, which is not a pre-install,pre-upgrade hook: on install it does not exist yet when the Job runs`,
        });
      } else if (needed.weight >= hook.weight) {
        findings.push({
          object: job.owner.ref,
          message: `reads ${what}, whose hook weight ${needed.weight} is not below the Job's ${hook.weight}`,
        });
      }
      const deleted = needed.deletePolicies.filter((policy) => DELETED_AFTER_HOOKS.includes(policy));
      if (deleted.length && readByWorkloads.has(`${reference.kind}/${reference.name}`))
        findings.push({
          object: object.ref,
          message: `hook-delete-policy ${deleted.join(',')} deletes it after the hooks, but the workloads read it too`,
        });
    }
    return findings;
  });
}

/** The workloads leave migrations to the Job: every pod migrating at start would race the others. */
function noMigrationOnStart({ pods, objects, profile }: RuleContext): Finding[] {
  return pods
    .filter((pod) => pod.longRunning)
    .flatMap(containersOf)
    .flatMap(({ container, where }) => {
      const env = containerEnv(container, objects, profile.existingSecret?.name);
      const value = env.values[MIGRATE_ON_START];
      const parsed = envSchema.shape[MIGRATE_ON_START].safeParse(value);
      return parsed.success && parsed.data === false
        ? []
        : [
            {
              object: where,
              message: `${MIGRATE_ON_START} must be false (is ${value ?? 'unset: true'}): the migration Job migrates`,
            },
          ];
    });
}

export const migrationHookRule: Rule = {
  id: 'migration-hook',
  check: (context) => [...jobOrdering(context), ...noMigrationOnStart(context)],
};
