import { describe, expect, it } from '@jest/globals';
import { planGraceActions } from '../../src/policy/grace/grace-plan.js';

const DAY = 24 * 60 * 60_000;
const deadline = new Date('2030-01-10T00:00:00Z');
const at = (msBefore: number) => new Date(deadline.getTime() - msBefore);
const HORIZON = 30 * 60_000;

describe('what a grace sweep owes a user', () => {
  it('owes nothing while the nearest reminder day is still ahead', () => {
    expect(planGraceActions(deadline, at(8 * DAY), [7, 1], HORIZON)).toEqual([]);
  });

  it('owes the reminder of the nearest reminder day reached, only that one', () => {
    expect(planGraceActions(deadline, at(7 * DAY), [7, 1], HORIZON)).toEqual([{ kind: 'remind', daysBefore: 7 }]);
    expect(planGraceActions(deadline, at(3 * DAY), [7, 1], HORIZON)).toEqual([{ kind: 'remind', daysBefore: 7 }]);
    expect(planGraceActions(deadline, at(DAY), [7, 1], HORIZON)).toEqual([{ kind: 'remind', daysBefore: 1 }]);
  });

  it('schedules a precise job when the deadline falls before the next sweep', () => {
    expect(planGraceActions(deadline, at(HORIZON), [7, 1], HORIZON)).toEqual([
      { kind: 'remind', daysBefore: 1 },
      { kind: 'schedule', at: deadline },
    ]);
    expect(planGraceActions(deadline, at(HORIZON + 1), [], HORIZON)).toEqual([]);
  });

  it('enforces from the deadline on, and nothing else', () => {
    expect(planGraceActions(deadline, deadline, [7, 1], HORIZON)).toEqual([{ kind: 'enforce' }]);
    expect(planGraceActions(deadline, at(-DAY), [7, 1], HORIZON)).toEqual([{ kind: 'enforce' }]);
  });
});
