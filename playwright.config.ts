import { defineConfig } from '@playwright/test';
import { chromiumPath, INSTALL_HINT } from './test/e2e/chromium.ts';

// End-to-end tests of the editor, against `vite preview` of dist-web/ (build
// first: `npm run test:e2e` does) in Debian's Chromium. Without Chromium the
// specs skip with how to install it, except under CI=true where they fail.
const PORT = Number(process.env.CW_E2E_PORT ?? 4317);
if (!chromiumPath()) console.warn(process.env.CI ? `${INSTALL_HINT} (CI: the e2e tests fail)` : `${INSTALL_HINT} The e2e tests are skipped.`);

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  forbidOnly: !!process.env.CI,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath() ?? undefined,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
