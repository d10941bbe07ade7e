import type { JobType, Queue } from 'bullmq';
import { inspect } from 'node:util';

/**
 * Waiting for something to happen, never for time to pass: a test that checks an absence first waits
 * for the event, row, job or acknowledgement that proves the work it is about has finished. This is the
 * one module of test/ that may set a timer longer than a tick (see no-fixed-sleeps.spec.ts): the poll
 * between two probes, bounded by a deadline that throws.
 */

export interface WaitOptions<T> {
  /** What is awaited, as the failure should name it: "the member's session answering 401". */
  what: string;
  /** Fails after this long (default 10 s: far above what any condition takes on a loaded machine). */
  timeoutMs?: number;
  /** When the probe's value counts as arrived (default: when it is truthy). */
  until?: (value: T) => boolean;
  /**
   * Probes again when this fires, instead of on a timer: `wakeOn(wake)` subscribes and returns the
   * unsubscribe. Without it the probe is polled.
   */
  wakeOn?: (wake: () => void) => () => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const POLL_MS = 20;

/**
 * Probes until `until(value)` holds and resolves with that value; rejects after `timeoutMs` with an error
 * naming what it waited for and the last value seen, so a run out is a failure, never a silent pass.
 * A probe that throws fails the wait at once.
 */
export async function waitUntil<T>(probe: () => T | Promise<T>, options: WaitOptions<T>): Promise<T> {
  const { what, timeoutMs = DEFAULT_TIMEOUT_MS, until = Boolean, wakeOn } = options;
  const deadline = Date.now() + timeoutMs;
  let woken: () => void = () => undefined;
  const unsubscribe = wakeOn?.(() => woken());
  try {
    for (;;) {
      const next = new Promise<void>((resolve) => (woken = resolve));
      const value = await probe();
      if (until(value)) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value seen: ${show(value)}`);
      }
      await pause(wakeOn ? left : Math.min(POLL_MS, left), next);
    }
  } finally {
    unsubscribe?.();
  }
}

/** The states of a job not finished yet. */
const PENDING: JobType[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];

export interface DrainOptions {
  /** Only jobs with one of these names count (default: every job). */
  names?: readonly string[];
  timeoutMs?: number;
}

/**
 * Waits until none of `queues` holds a job of interest that is waiting, active or delayed: the work they
 * were given has run. The iterations of a repeatable schedule (a job scheduler's, `repeatJobKey` set) are
 * always delayed and never count.
 */
export async function drainQueues(queues: readonly Queue[], options: DrainOptions = {}): Promise<void> {
  const names = options.names ? new Set(options.names) : undefined;
  const pending = async () => {
    const found: string[] = [];
    for (const queue of queues) {
      for (const job of await queue.getJobs(PENDING)) {
        // A job removed between the listing and the read comes back undefined.
        if (!job || job.repeatJobKey || (names && !names.has(job.name))) continue;
        found.push(`${queue.name}/${job.name} ${job.id} (${await job.getState()})`);
      }
    }
    return found;
  };
  const which = names ? `jobs ${[...names].join(', ')}` : 'jobs';
  await waitUntil(pending, {
    what: `no ${which} waiting, active or delayed in ${queues.map((q) => q.name).join(', ')}`,
    timeoutMs: options.timeoutMs,
    until: (found) => found.length === 0,
  });
}

function pause(ms: number, orWhen: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([elapsed, orWhen]).finally(() => clearTimeout(timer));
}

function show(value: unknown): string {
  return inspect(value, { depth: 3, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 300 });
}
