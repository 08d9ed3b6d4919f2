import { defineConfig, devices } from '@playwright/test';

// E2E tests run against the BUILT app served by the real centre server (server/main.ts, what
// `npm start` runs), never the dev server: the service worker and its precache only exist in the
// build, and sync needs the centre. The centre runs on a fresh temporary DATA_DIR each run
// (tests/e2e/centre.ts); tests that must kill a centre start their own with startCentre().
const PORT = Number(process.env.E2E_PORT ?? 4319);
const BASE_URL = `http://127.0.0.1:${PORT}`;

const chromium = {
  ...devices['Desktop Chrome'],
  // Debian's Chromium; Playwright's own browser downloads are not available here.
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  },
};

export default defineConfig({
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: BASE_URL,
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'chromium', testDir: 'tests/e2e', use: chromium },
    // Fault suites 3 (crash on the device) and 5 (full disk) need the browser: `npm run test:faults`
    // runs them after the Node suites, and they report to docs/reliability.md like the others.
    { name: 'faults', testDir: 'tests/faults/browser', use: chromium },
  ],
  webServer: {
    // Builds once (vite only: `npm test` has type-checked already, and `npm run typecheck` is its
    // own step), then the launcher makes a temporary DATA_DIR, runs `node --import tsx
    // server/main.ts` with STATIC_DIR=dist on E2E_PORT, and removes the directory on exit.
    command: `npx vite build && node --import tsx tests/e2e/centre.ts`,
    url: `${BASE_URL}/api/health`,
    env: { E2E_PORT: String(PORT) },
    reuseExistingServer: false,
    timeout: 240_000,
    // SIGTERM to the process group: the centre closes its database and the launcher removes its data.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
