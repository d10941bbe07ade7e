import type { Job } from 'bullmq';
import type { JobName, JobPayload, QueueName } from './job-catalog.js';

export interface JobHandlerDeclaration {
  queue: QueueName;
  name: string;
  method: string;
}

const JOB_HANDLERS = Symbol('stepguard:job-handlers');

/**
 * Marks a processor method as the handler of one job of the catalog; the payload it receives has
 * already been validated against the job's schema. The worker runtime refuses to start unless every
 * job has exactly one handler.
 */
export function OnJob<Q extends QueueName, N extends JobName<Q>>(queue: Q, name: N) {
  return <M extends (payload: JobPayload<Q, N>, job: Job) => Promise<unknown>>(
    target: object,
    method: string,
    _descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    const declared = jobHandlersOf(target.constructor);
    Reflect.defineMetadata(JOB_HANDLERS, [...declared, { queue, name, method }], target.constructor);
  };
}

/** The jobs a processor class declares it handles (none for any other class). */
export function jobHandlersOf(type: object): JobHandlerDeclaration[] {
  return (Reflect.getMetadata(JOB_HANDLERS, type) as JobHandlerDeclaration[] | undefined) ?? [];
}
