// When a save stops a running build (dev/restart.ts): stopping costs a cold build in a new thread,
// so a build is never stopped sooner than that would take.
import { describe, expect, it } from 'vitest';
import { FIRST_BUILD_RESTART_MS, MIN_RESTART_MS, restartAfterMs } from '../../src/dev/restart.ts';

describe('how long a build runs before a save stops it', () => {
  it('is long before any build has served its files', () => {
    expect(restartAfterMs(0, undefined)).toBe(FIRST_BUILD_RESTART_MS);
  });

  it('is at least 2 s, or three times the last build', () => {
    expect(restartAfterMs(100, 300)).toBe(MIN_RESTART_MS);
    expect(restartAfterMs(1500, 1000)).toBe(4500);
  });

  it('is never sooner than a cold build in a new thread would take (1,000 episodes: saves of ~0.3 s, a cold start of ~13 s)', () => {
    expect(restartAfterMs(300, 13_000)).toBe(13_000);
  });
});
