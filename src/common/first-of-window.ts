import type { Redis } from 'ioredis';

// Opens every window not open yet (SET NX with its own expiry); returns how many this call opened.
const OPEN = `
local opened = 0
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, '1', 'NX', 'PX', ARGV[i]) then opened = opened + 1 end
end
return opened`;

export interface Window {
  key: string;
  ms: number;
}

/**
 * Windows in Redis, shared by every node, that say whether an event is the first of its kind lately:
 * what keeps refusals on the audit log without letting anyone flood it (the first of each window gets
 * an entry, the rest only a metric).
 */
export class FirstOfWindow {
  constructor(private readonly redis: Redis) {}

  /** True when this event opened at least one of `windows`; null when Redis could not answer. */
  async opens(windows: readonly Window[]): Promise<boolean | null> {
    try {
      const opened = await this.redis.eval(
        OPEN,
        windows.length,
        ...windows.map((w) => w.key),
        ...windows.map((w) => w.ms),
      );
      return Number(opened) > 0;
    } catch {
      return null;
    }
  }
}
