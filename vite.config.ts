import { defineConfig } from 'vitest/config'
import preact from '@preact/preset-vite'

/**
 * Vitest configuration for every test of the repository. The widget and the console have their own
 * build configs (widget/vite.config.ts, console/vite.config.ts); this file only runs tests.
 */
export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine, so every file ran
    // one after the other. Most files wait on HTTP, the database or a browser; two run well side by side.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'api',
          include: ['tests/unit/**/*.test.ts', 'tests/api/**/*.test.ts', 'tests/security/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/helpers/global-setup.ts'],
          // Every file builds its own app and database: files need not re-import the whole API each
          // (importing was over 100 s of a run with a fresh module graph per file).
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [preact()],
        test: {
          name: 'widget',
          include: ['tests/widget/**/*.test.{ts,tsx}', 'tests/console/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['tests/helpers/dom-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          // The migrated database every stack loads instead of creating and migrating its own.
          globalSetup: ['tests/helpers/global-setup.ts'],
          isolate: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
