import type { V1ServiceAccount } from '@kubernetes/client-node';
import { ofKind } from '../manifests.js';
import type { Finding } from '../results.js';
import type { Rule } from './rule.js';

/**
 * No pod gets a Kubernetes API token except the helm test pod (cluster-check lists the release's pods):
 * the app never calls the API, so a token would only serve an attacker inside the container.
 */
export const serviceAccountTokenRule: Rule = {
  id: 'service-account-token',
  check({ objects, pods }) {
    const accounts = new Map(
      ofKind<V1ServiceAccount>(objects, 'ServiceAccount').map((account) => [account.name, account]),
    );
    const appPods = pods.filter((pod) => !pod.helmTest);
    const mounting: Finding[] = appPods
      .filter(({ spec }) => {
        const account = accounts.get(spec.serviceAccountName ?? 'default');
        return (spec.automountServiceAccountToken ?? account?.typed.automountServiceAccountToken ?? true) !== false;
      })
      .map(({ owner }) => ({
        object: owner.ref,
        message: 'mounts a service-account token: set automountServiceAccountToken false',
      }));
    const testOnly = (name: string) =>
      pods.some((pod) => pod.spec.serviceAccountName === name) &&
      pods.filter((pod) => pod.spec.serviceAccountName === name).every((pod) => pod.helmTest);
    const accountDefaults: Finding[] = [...accounts.values()]
      .filter(({ name, typed }) => typed.automountServiceAccountToken !== false && !testOnly(name))
      .map(({ ref }) => ({ object: ref, message: 'automountServiceAccountToken must be false' }));
    return [...mounting, ...accountDefaults];
  },
};
