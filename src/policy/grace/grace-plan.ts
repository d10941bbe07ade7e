const DAY_MS = 24 * 60 * 60_000;

export type GraceAction = { kind: 'enforce' } | { kind: 'remind'; daysBefore: number } | { kind: 'schedule'; at: Date };

/**
 * What a grace-period sweep owes a candidate now: enforcement once the deadline has come; before it,
 * the reminder for the nearest reminder day already reached (one mail, never a burst of every day
 * passed while the user was out of scope), and a precise job at the deadline when it falls before
 * the next sweep (`horizonMs`), so nobody waits a sweep interval past their deadline.
 */
export function planGraceActions(
  deadline: Date,
  now: Date,
  reminderDays: readonly number[],
  horizonMs: number,
): GraceAction[] {
  const left = deadline.getTime() - now.getTime();
  if (left <= 0) return [{ kind: 'enforce' }];
  const actions: GraceAction[] = [];
  const due = reminderDays.filter((days) => left <= days * DAY_MS);
  if (due.length) actions.push({ kind: 'remind', daysBefore: Math.min(...due) });
  if (left <= horizonMs) actions.push({ kind: 'schedule', at: deadline });
  return actions;
}
