import { type CheckLine, failed, formatLine, passed, reasonOf, skipped } from './check-line.js';
import { disconnectAcrossPodsLine } from './disconnect-across-pods.js';
import { migrationJobLine } from './migration-job.js';
import { readinessLine } from './readiness.js';
import { type ReleaseObjects } from './release-objects.js';
import { type ApiNode, apiPodsOf, componentSelector } from './release-pods.js';

export interface ClusterCheckPlan {
  release: string;
  /** The api pods' label selector; the release's api component by default. */
  selector?: string;
  /** Api nodes given by address instead of found in Kubernetes (the Job check is then skipped). */
  addresses?: readonly string[];
  /** The Kubernetes API, asked only without `addresses`. */
  kubernetes: () => ReleaseObjects;
  operatorToken: string | undefined;
  timeoutMs: number;
  out(line: string): void;
}

/** Runs every check, printing one line each as it ends; true when none failed. */
export async function runClusterCheck(plan: ClusterCheckPlan): Promise<boolean> {
  let ok = true;
  const report = (line: CheckLine) => {
    if (line.outcome === 'FAIL') ok = false;
    plan.out(formatLine(line));
  };
  let found: ApiNode[];
  if (plan.addresses) {
    found = plan.addresses.map((url) => ({ name: url, url }));
    report(skipped('migration job', 'api nodes given by --addresses: no Kubernetes API to ask'));
  } else {
    found = await inCluster(plan, report);
  }
  const ready: ApiNode[] = [];
  for (const [node, line] of await Promise.all(
    found.map(async (node) => [node, await readinessLine(node, plan.timeoutMs)] as const),
  )) {
    report(line);
    if (line.outcome === 'ok') ready.push(node);
  }
  report(
    ready.length > 0
      ? await disconnectAcrossPodsLine(ready, plan.operatorToken, plan.timeoutMs)
      : failed('disconnect across pods', 'no ready api pod to hold a socket'),
  );
  return ok;
}

/** The release's Ready api pods, after reporting the listing, the pods that cannot be checked and the Job. */
async function inCluster(plan: ClusterCheckPlan, report: (line: CheckLine) => void): Promise<ApiNode[]> {
  let kubernetes: ReleaseObjects;
  try {
    kubernetes = plan.kubernetes();
  } catch (error) {
    report(failed('kubernetes', reasonOf(error)));
    return [];
  }
  const selector = plan.selector ?? componentSelector(plan.release, 'api');
  const nodes: ApiNode[] = [];
  try {
    const pods = apiPodsOf(await kubernetes.pods(selector));
    const readyCount = pods.filter((p) => p.ready).length;
    report(
      readyCount > 0
        ? passed('api pods', `${readyCount} Ready of ${pods.length} in ${kubernetes.namespace} (${selector})`)
        : failed('api pods', `none Ready of ${pods.length} in ${kubernetes.namespace} (${selector})`),
    );
    for (const pod of pods) {
      if (pod.ready) nodes.push({ name: pod.name, url: pod.url });
      else report(failed(`api pod ${pod.name}`, pod.why));
    }
  } catch (error) {
    report(failed('api pods', reasonOf(error)));
  }
  try {
    report(migrationJobLine(await kubernetes.jobs(componentSelector(plan.release, 'migrate'))));
  } catch (error) {
    report(failed('migration job', reasonOf(error)));
  }
  return nodes;
}
