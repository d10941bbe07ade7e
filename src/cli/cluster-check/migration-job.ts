import type { V1Job, V1JobList } from '@kubernetes/client-node';
import { type CheckLine, failed, passed } from './check-line.js';

const CHECK = 'migration job';

/**
 * Whether the release's newest migration Job (the chart's pre-install/pre-upgrade hook) completed. The
 * newest, because `before-hook-creation` leaves the previous one until the next upgrade makes its own.
 */
export function migrationJobLine(list: V1JobList): CheckLine {
  const job = newest(list.items);
  if (!job) {
    return failed(
      CHECK,
      'no migration Job of this release in the namespace (a hook-delete-policy of hook-succeeded deletes it; ' +
        'the chart keeps it with before-hook-creation)',
    );
  }
  const name = job.metadata?.name ?? '(unnamed job)';
  const condition = (type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  const complete = condition('Complete');
  if (complete) {
    const at = job.status?.completionTime ?? complete.lastTransitionTime;
    return passed(CHECK, `${name} succeeded${at ? ` at ${at.toISOString()}` : ''}`);
  }
  const failure = condition('Failed');
  if (failure) {
    const why = [failure.reason, failure.message].filter(Boolean).join(': ');
    return failed(CHECK, `${name} failed${why ? ` (${why})` : ''}`);
  }
  const { active = 0, failed: failedPods = 0 } = job.status ?? {};
  return failed(CHECK, `${name} has not finished (${active} pod(s) active, ${failedPods} failed)`);
}

function newest(jobs: V1Job[]): V1Job | undefined {
  const created = (job: V1Job) => job.metadata?.creationTimestamp?.getTime() ?? 0;
  return [...jobs].sort((a, b) => created(b) - created(a))[0];
}
