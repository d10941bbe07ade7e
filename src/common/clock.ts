/**
 * The only source of "now" for anything that decides validity (ARCHITECTURE invariant 7): session
 * expiry, TOTP steps, challenges and grace periods are tested by moving a ManualClock. (Rate-limit
 * windows are Redis key expiries: counters that slow guessing, not validity decisions.)
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that only moves when told to; for tests and benchmarks. */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date | string = '2030-01-01T00:00:00.000Z') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
