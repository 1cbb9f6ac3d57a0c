import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests (no browser) and end-to-end tests that drive the
// built extension in real browsers. The e2e project runs files one at a time:
// the machine has 2 cores and each file launches browsers.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'native-host/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
