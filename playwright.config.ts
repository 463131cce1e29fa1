import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PORT = Number(process.env.E2E_PORT ?? 4173);
// A second server on a database filled by `npm run seed:demo`, for the specs that need a realistic year (*.demo.spec.ts).
const DEMO_PORT = Number(process.env.E2E_DEMO_PORT ?? PORT + 1);
// Every run starts from an empty embedded database, like a fresh install.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'warroom-e2e-'));
const demoDataDir = process.env.E2E_DEMO_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'warroom-e2e-demo-'));
/** Fixed, so the demo year is the same every run; small, so seeding takes seconds. */
const DEMO_SEED = { seed: 7, incidents: 240 };

const node = 'node --experimental-strip-types --disable-warning=ExperimentalWarning';
// DATABASE_URL emptied: a PostgreSQL URL left in the shell must not send the servers (or the seed) to a shared database.
const serverEnv = { HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'test', DATABASE_URL: '' };
const DEMO_SPECS = /\.demo\.spec\.ts$/;

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/e2e-report' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    // A fresh install: accounts.spec.ts signs up the first admin here.
    { name: 'fresh', testIgnore: DEMO_SPECS },
    { name: 'demo', testMatch: DEMO_SPECS, use: { baseURL: `http://127.0.0.1:${DEMO_PORT}` } },
  ],
  webServer: [
    {
      command: `${node} server/main.ts`,
      url: `http://127.0.0.1:${PORT}/readyz`,
      timeout: 60_000,
      reuseExistingServer: false,
      env: { ...serverEnv, PORT: String(PORT), DATA_DIR: dataDir },
    },
    {
      // Seeding is part of the startup, so the timeout bounds both (about 10 s on the CI machine).
      command: `${node} server/demo/seed-cli.ts --seed ${DEMO_SEED.seed} --incidents ${DEMO_SEED.incidents} && ${node} server/main.ts`,
      url: `http://127.0.0.1:${DEMO_PORT}/readyz`,
      timeout: 120_000,
      reuseExistingServer: false,
      env: { ...serverEnv, PORT: String(DEMO_PORT), DATA_DIR: demoDataDir },
    },
  ],
});
