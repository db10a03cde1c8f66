// When a save stops the build running and starts again from the new sources (dev/session.ts).
// Stopping ends the build's thread, and with it everything kept between builds: the build that
// follows is a cold one in a new thread. So stopping pays only for a build that has run longer than
// that would take: a build gone wrong (a template that never ends), not a slow one nearly done.

/** Before any build has served its files: the next would start as cold, so only a very long one is stopped. */
export const FIRST_BUILD_RESTART_MS = 30_000;

/** Never sooner than this. */
export const MIN_RESTART_MS = 2000;

/**
 * `lastBuildMs`: how long the last build took to its files (0: none has served yet); `coldMs`: how
 * long the last build in a new thread took, from the request to its files served (the thread's
 * start included), i.e. what stopping costs. At 1,000 episodes (load ~8), a show.yml save (a
 * build of 2-5 s) and an episode saved 2.5 s later: both served after 8.3 s (median of 3, 2.7-14.1)
 * when the 2 s rule stopped the first for a cold build in a new thread, 5.0 s (median of 4,
 * 3.2-7.4) when it was left to finish.
 */
export function restartAfterMs(lastBuildMs: number, coldMs: number | undefined): number {
  if (lastBuildMs <= 0) return FIRST_BUILD_RESTART_MS;
  return Math.max(MIN_RESTART_MS, 3 * lastBuildMs, coldMs ?? 0);
}
