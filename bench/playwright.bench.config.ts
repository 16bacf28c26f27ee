/** Browser benchmarks (they print numbers; nothing asserts a speed): `npx vite build && CW_E2E_PORT=… npx playwright test -c bench/playwright.bench.config.ts`. */
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import base from '../playwright.config.ts';

const root = path.resolve(import.meta.dirname, '..');

export default defineConfig({
  ...base, testDir: '.', testMatch: '*.bench.ts', timeout: 600_000, outputDir: path.join(root, 'test-results/bench'),
  webServer: { ...(base.webServer as object), cwd: root } as typeof base.webServer,
});
