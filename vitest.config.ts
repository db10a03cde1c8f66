import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real servers, processes and a browser; they check behaviour, not speed. A test
    // may run several CLI processes one after another (publish: build, rsync over SSH, again), and
    // on a shared 2-core machine at a load of 10+ that took over a minute: the bound is generous so
    // only a hang fails on time.
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
