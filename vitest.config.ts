import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real servers, processes and a browser; they check behaviour, not speed.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
