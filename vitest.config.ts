import { defineConfig } from 'vitest/config';

// Mount tests own real kernel state (mounts, bricks): run files one at a time, in forks, so a
// crashing native addon or a stuck mount cannot take the other files down with it.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
