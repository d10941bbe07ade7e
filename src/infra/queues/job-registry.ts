import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import { jobNamesOf, type QueueName, QUEUE_NAMES } from './job-catalog.js';
import { jobHandlersOf } from './on-job.decorator.js';

export type JobHandler = (payload: object, job: Job) => Promise<unknown>;

interface FoundHandler {
  owner: string;
  run: JobHandler;
}

/** Raised at boot: the worker would otherwise take jobs it cannot run, or run one twice. */
export class JobHandlersMismatchError extends Error {
  override name = 'JobHandlersMismatchError';
}

/**
 * Every `@OnJob` method of every provider in the application, checked against the catalog when the
 * module initialises: each job name needs exactly one handler, and no handler may claim a job the
 * catalog does not have.
 */
@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const found = this.discover();
    const problems: string[] = [];
    for (const queue of QUEUE_NAMES) {
      for (const name of jobNamesOf(queue)) {
        const job = key(queue, name);
        const owners = found.get(job) ?? [];
        if (owners.length === 0) problems.push(`${job} has no handler`);
        else if (owners.length > 1) problems.push(`${job} has ${owners.length} handlers (${namesOf(owners)})`);
        else this.handlers.set(job, owners[0]!.run);
      }
    }
    for (const [job, owners] of found) {
      if (!this.isCataloged(job)) problems.push(`${namesOf(owners)} handles ${job}, which is not in the job catalog`);
    }
    if (problems.length) {
      throw new JobHandlersMismatchError(`Job handlers do not match the job catalog: ${problems.join('; ')}`);
    }
  }

  /** The handler of a job; undefined only for a name outside the catalog. */
  handlerFor(queue: QueueName, name: string): JobHandler | undefined {
    return this.handlers.get(key(queue, name));
  }

  private discover(): Map<string, FoundHandler[]> {
    const found = new Map<string, FoundHandler[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const { metatype, instance } = wrapper;
      if (typeof metatype !== 'function' || !instance) continue;
      for (const { queue, name, method } of jobHandlersOf(metatype)) {
        const run = (instance as Record<string, JobHandler>)[method]!.bind(instance);
        const list = found.get(key(queue, name)) ?? [];
        list.push({ owner: `${metatype.name}.${method}`, run });
        found.set(key(queue, name), list);
      }
    }
    return found;
  }

  private isCataloged(job: string): boolean {
    return QUEUE_NAMES.some((queue) => jobNamesOf(queue).some((name) => key(queue, name) === job));
  }
}

function namesOf(owners: FoundHandler[]): string {
  return owners.map((o) => o.owner).join(', ');
}

function key(queue: string, name: string): string {
  return `${queue}/${name}`;
}
