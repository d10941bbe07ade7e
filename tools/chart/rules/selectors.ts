import type {
  V1Deployment,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { ofKind, type RenderedObject } from '../manifests.js';
import { WORKLOAD_KINDS, type PodTemplate } from '../pods.js';
import type { Finding } from '../results.js';
import { selects } from '../selectors.js';
import type { Rule, RuleContext } from './rule.js';

const names = (pods: PodTemplate[]) => pods.map((pod) => pod.owner.ref).join(', ');

function ownSelectors({ objects }: RuleContext): Finding[] {
  return objects
    .filter((object) => WORKLOAD_KINDS.includes(object.kind))
    .flatMap(({ typed, ref }) => {
      const { selector, template } = (typed as V1Deployment).spec ?? {};
      return selector && selects(selector, template?.metadata?.labels ?? {})
        ? []
        : [{ object: ref, message: 'spec.selector does not match its own pod template labels' }];
    });
}

/** One budget per workload: a pod under two budgets cannot be evicted at all. */
function budgets({ objects, pods }: RuleContext, workloads: PodTemplate[]): Finding[] {
  return ofKind<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget').flatMap(({ typed, ref }) => {
    const selected = workloads.filter((pod) => selects(typed.spec?.selector ?? {}, pod.labels));
    if (selected.length === 1) return [];
    const jobs = pods.filter((pod) => !pod.longRunning && selects(typed.spec?.selector ?? {}, pod.labels));
    const what =
      selected.length === 0 ? 'selects no workload' : `selects ${selected.length} workloads (${names(selected)})`;
    return [
      { object: ref, message: `${what}${jobs.length ? `; it also selects ${names(jobs)}` : ''}: it must select one` },
    ];
  });
}

/** A Service routes to workload pods, each of which serves its target ports. */
function services({ objects }: RuleContext, workloads: PodTemplate[]): Finding[] {
  return ofKind<V1Service>(objects, 'Service').flatMap(({ typed, ref }) => {
    const selector = typed.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) return [{ object: ref, message: 'has no selector' }];
    const selected = workloads.filter((pod) => selects(selector, pod.labels));
    if (selected.length === 0) return [{ object: ref, message: 'selects no workload' }];
    return (typed.spec?.ports ?? []).flatMap(({ port, targetPort = port }) =>
      selected
        .filter(
          ({ spec }) =>
            !spec.containers.some((c) => c.ports?.some((p) => p.name === targetPort || p.containerPort === targetPort)),
        )
        .map((pod) => ({
          object: ref,
          message: `targets port ${targetPort}, which ${pod.owner.ref} does not declare`,
        })),
    );
  });
}

function autoscalers({ objects }: RuleContext): Finding[] {
  return ofKind<V2HorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler').flatMap(({ typed, ref }) => {
    const { kind, name } = typed.spec?.scaleTargetRef ?? { kind: '?', name: '?' };
    const target = objects.find((object) => object.kind === kind && object.name === name);
    return target && WORKLOAD_KINDS.includes(kind)
      ? []
      : [{ object: ref, message: `scaleTargetRef ${kind}/${name} is not a workload of the chart` }];
  });
}

/** A policy may be for any pod the chart runs, the migration Job's and the test's included. */
function networkPolicies({ objects, pods }: RuleContext): Finding[] {
  return ofKind<V1NetworkPolicy>(objects, 'NetworkPolicy')
    .filter(({ typed }) => !pods.some((pod) => selects(typed.spec?.podSelector ?? {}, pod.labels)))
    .map(({ ref }) => ({ object: ref, message: 'podSelector selects no pod of the chart' }));
}

/** prometheus-operator's ServiceMonitor: no client-node type, so read from the raw object. */
function serviceMonitors({ objects }: RuleContext): Finding[] {
  const servicesRendered = ofKind<V1Service>(objects, 'Service');
  return objects
    .filter((object) => object.kind === 'ServiceMonitor')
    .flatMap(({ raw, ref }: RenderedObject) => {
      const spec = (raw.spec ?? {}) as { selector?: Record<string, string>; endpoints?: { port?: string }[] };
      const selected = servicesRendered.filter(({ typed }) =>
        selects(spec.selector ?? {}, typed.metadata?.labels ?? {}),
      );
      if (selected.length === 0) return [{ object: ref, message: 'selector selects no Service' }];
      return (spec.endpoints ?? [])
        .filter(({ port }) => port && !selected.some(({ typed }) => typed.spec?.ports?.some((p) => p.name === port)))
        .map(({ port }) => ({
          object: ref,
          message: `endpoint port ${port} is not a port of the Services it selects`,
        }));
    });
}

/** Every PodDisruptionBudget, Service, HorizontalPodAutoscaler (and NetworkPolicy, ServiceMonitor) hits a workload. */
export const selectorsRule: Rule = {
  id: 'selectors',
  check(context) {
    const workloads = context.pods.filter((pod) => pod.longRunning);
    return [
      ...ownSelectors(context),
      ...budgets(context, workloads),
      ...services(context, workloads),
      ...autoscalers(context),
      ...networkPolicies(context),
      ...serviceMonitors(context),
    ];
  },
};
