/**
 * The start of the cadence window `now` falls in: windows are fixed slices of the epoch, so every worker
 * agrees on them, and a checkpoint already taken since the start makes the window's job a no-op.
 */
export function cadenceWindowStart(now: Date, intervalMs: number): Date {
  return new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);
}

/** The interval between two checkpoints of a chain, from AUDIT_CHECKPOINT_INTERVAL_MINUTES. */
export const cadenceMs = (intervalMinutes: number) => intervalMinutes * 60_000;
