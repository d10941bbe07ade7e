/** One line of the cluster check's report: what was checked, how it went, and the reason. */
export interface CheckLine {
  outcome: 'ok' | 'FAIL' | 'skip';
  check: string;
  detail: string;
}

export const passed = (check: string, detail: string): CheckLine => ({ outcome: 'ok', check, detail });
export const failed = (check: string, detail: string): CheckLine => ({ outcome: 'FAIL', check, detail });
export const skipped = (check: string, detail: string): CheckLine => ({ outcome: 'skip', check, detail });

export function formatLine({ outcome, check, detail }: CheckLine): string {
  return `${outcome.padEnd(4)} ${check}: ${detail}`;
}

/** The message of whatever was thrown, for a FAIL line. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
