import { describe, expect, it, jest } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { HANDSHAKE_LIMIT_MS, RecentKicks } from '../../src/live/recent-kicks.js';

const kick = (reason: string) => ({ cause: 'step_up_required' as const, reason });

describe('RecentKicks (the kick that lands between a handshake check and the room join)', () => {
  it('hands a kick received at or after the check to the joining socket, and none received before it', () => {
    const now = jest.spyOn(performance, 'now');
    try {
      const recent = new RecentKicks();
      now.mockReturnValue(100);
      recent.note('s1', 'step_up_required', 'before');
      const checkedAt = 101;
      expect(recent.since('s1', checkedAt)).toBeUndefined();
      now.mockReturnValue(101);
      recent.note('s1', 'step_up_required', 'during');
      expect(recent.since('s1', checkedAt)).toEqual(kick('during'));
      expect(recent.since('s2', checkedAt)).toBeUndefined();
    } finally {
      now.mockRestore();
    }
  });

  it('forgets kicks older than any handshake, so memory stays bounded', () => {
    const now = jest.spyOn(performance, 'now');
    try {
      const recent = new RecentKicks();
      now.mockReturnValue(1_000);
      recent.note('old', 'step_up_required', 'old');
      now.mockReturnValue(1_000 + HANDSHAKE_LIMIT_MS + 1);
      recent.note('new', 'step_up_required', 'new');
      expect(recent.since('old', 0)).toBeUndefined();
      expect(recent.since('new', 0)).toEqual(kick('new'));
    } finally {
      now.mockRestore();
    }
  });
});
