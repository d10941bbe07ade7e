/**
 * The only source of "now" for anything that decides validity (ARCHITECTURE invariant 7): session
 * expiry, TOTP steps, challenges, grace periods and the attempt limits' windows are tested by moving a
 * ManualClock. (The windows that keep refusals off the audit log, FirstOfWindow, are Redis key
 * expiries: they decide what is logged, not what is allowed.)
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
