import type { KubernetesObject } from '@kubernetes/client-node';

interface Hook {
  events: string[];
  weight: number;
  deletePolicies: string[];
}

function hookOf(object: KubernetesObject): Hook | undefined {
  const annotations = object.metadata?.annotations ?? {};
  const events = annotations['helm.sh/hook'];
  if (!events) return undefined;
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    events: list(events),
    weight: Number(annotations['helm.sh/hook-weight'] ?? 0),
    deletePolicies: list(annotations['helm.sh/hook-delete-policy']),
  };
}

const name = (object: KubernetesObject) => `${object.kind}/${object.metadata?.name}`;

/**
 * The rendered objects that exist when a pod of `owner` starts on `helm install`, which is when its
 * configMapKeyRef, secretKeyRef and envFrom are resolved:
 * - a pre-install hook: only the pre-install hooks of a lower weight (Helm creates hooks in weight order, and
 *   the release's own objects only after every pre-install hook succeeded);
 * - a release object (a Deployment): the release's objects, and the pre-install hooks that outlive the hooks'
 *   success (those with `hook-succeeded` are deleted by then);
 * - a `test` hook (`helm test`, after the install): the same, and the test hooks of a lower weight.
 */
export function objectsPresentWhenStarting(
  objects: readonly KubernetesObject[],
  owner: KubernetesObject,
): KubernetesObject[] {
  const own = hookOf(owner);
  const lowerHooks = (event: string) =>
    objects.filter((o) => {
      const hook = hookOf(o);
      return hook?.events.includes(event) && hook.weight < own!.weight;
    });
  const afterInstall = objects.filter((o) => {
    const hook = hookOf(o);
    if (!hook) return true;
    return hook.events.includes('pre-install') && !hook.deletePolicies.includes('hook-succeeded');
  });
  if (!own) return afterInstall;
  if (own.events.includes('pre-install')) return lowerHooks('pre-install');
  if (own.events.length === 1 && own.events[0] === 'test') return [...afterInstall, ...lowerHooks('test')];
  throw new Error(`${name(owner)}: hook ${own.events.join(',')} is not modelled here`);
}
