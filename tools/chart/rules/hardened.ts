import { allContainers, type ContainerOf } from '../pods.js';
import type { Finding } from '../results.js';
import type { Rule } from './rule.js';

/** What a container runs with: its own security context over its pod's, as Kubernetes applies them. */
function problems({ pod, container }: ContainerOf): string[] {
  const podContext = pod.spec.securityContext ?? {};
  const own = container.securityContext ?? {};
  const runAsNonRoot = own.runAsNonRoot ?? podContext.runAsNonRoot;
  const runAsUser = own.runAsUser ?? podContext.runAsUser;
  const seccomp = own.seccompProfile?.type ?? podContext.seccompProfile?.type;
  return [
    runAsNonRoot !== true && 'runAsNonRoot must be true',
    // A fixed uid: runAsNonRoot alone lets the kubelet refuse an image whose user is a name, not a number.
    !(typeof runAsUser === 'number' && runAsUser > 0) && `runAsUser must be a fixed non-root uid (is ${runAsUser})`,
    own.readOnlyRootFilesystem !== true && 'readOnlyRootFilesystem must be true',
    own.allowPrivilegeEscalation !== false && 'allowPrivilegeEscalation must be false',
    own.privileged === true && 'privileged must not be true',
    !own.capabilities?.drop?.includes('ALL') && 'capabilities.drop must include ALL',
    (own.capabilities?.add?.length ?? 0) > 0 &&
      `capabilities.add must be empty (is ${own.capabilities?.add?.join(',')})`,
    seccomp !== 'RuntimeDefault' && `seccompProfile.type must be RuntimeDefault (is ${seccomp})`,
  ].filter((problem): problem is string => typeof problem === 'string');
}

/** Every container (init, hook and test pods too) runs hardened. */
export const hardenedRule: Rule = {
  id: 'hardened',
  check: ({ pods }) =>
    allContainers(pods).flatMap((entry): Finding[] =>
      problems(entry).map((message) => ({ object: entry.where, message })),
    ),
};
