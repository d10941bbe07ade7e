import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { EventBus, type IEvent } from '@nestjs/cqrs';

/** How long shutdown waits for after-commit work (a Redis outage holds it; the outbox sweep redoes it). */
const SHUTDOWN_PATIENCE_MS = 5_000;

export interface Tx {
  readonly em: EntityManager;
  /** Queues an event; it is published only once the transaction has committed. */
  publish(event: IEvent): void;
  /**
   * Starts `task` once the transaction has committed (never if it rolls back), without waiting for it:
   * for best-effort work whose durable path is elsewhere (the outbox sweep).
   */
  afterCommit(task: () => Promise<void>): void;
  /**
   * Runs `task` inside the transaction once the use case's work is done, just before the commit (in the
   * order registered): for writes that are best batched and taken last, such as the audit appends.
   */
  beforeCommit(task: () => Promise<void>): void;
}

/**
 * The transaction boundary of a use case: the state change and its audit entry commit together,
 * and events go out after the commit, so a listener never sees a change that was rolled back.
 */
@Injectable()
export class UnitOfWork implements BeforeApplicationShutdown {
  /** After-commit work still running: shutdown lets it finish (for a while) before the pools close under it. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly orm: MikroORM,
    private readonly eventBus: EventBus,
  ) {}

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const events: IEvent[] = [];
    const tasks: (() => Promise<void>)[] = [];
    const result = await this.orm.em.fork().transactional(async (em) => {
      const last: (() => Promise<void>)[] = [];
      const done = await work({
        em,
        publish: (e) => events.push(e),
        afterCommit: (t) => tasks.push(t),
        beforeCommit: (t) => last.push(t),
      });
      for (const task of last) await task();
      return done;
    });
    if (events.length) this.eventBus.publishAll(events);
    // Not awaited: after-commit work is best effort (the outbox sweep is what makes it durable), and a
    // Redis outage, which holds enqueueing until Redis returns, must not hold the answer too.
    for (const task of tasks) this.track(task().catch(() => undefined));
    return result;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_PATIENCE_MS)));
    await Promise.race([Promise.allSettled([...this.running]), patience]);
    clearTimeout(timer);
  }

  private track(task: Promise<void>): void {
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  /** A fresh entity manager for reads outside any transaction. */
  reader(): EntityManager {
    return this.orm.em.fork();
  }
}
