import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_YEAR } from './tests/e2e/demo-year.ts';

const PORT = Number(process.env.E2E_PORT ?? 4173);
// A second server on a database filled by `npm run seed:demo`, for the specs that need a realistic year (*.demo.spec.ts).
const DEMO_PORT = Number(process.env.E2E_DEMO_PORT ?? PORT + 1);
// A third server that nothing else touches, for the story of a fresh install's very first sign-up,
// so that story does not depend on running before every other one.
const FIRST_RUN_PORT = Number(process.env.E2E_FIRST_RUN_PORT ?? PORT + 2);
// Every run starts from an empty embedded database, like a fresh install.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'warroom-e2e-'));
const firstRunDataDir = mkdtempSync(join(tmpdir(), 'warroom-e2e-first-run-'));
const demoDataDir = process.env.E2E_DEMO_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'warroom-e2e-demo-'));

const node = 'node --experimental-strip-types --disable-warning=ExperimentalWarning';
// As `npm run serve` starts the server: its Node check and the environment it starts with (scripts/server-env.js).
const serve = 'node scripts/serve.js';
// DATABASE_URL emptied: a PostgreSQL URL left in the shell must not send the servers (or the seed) to a shared database.
const serverEnv = { HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'test', DATABASE_URL: '' };
const DEMO_SPECS = /\.demo\.spec\.ts$/;
const FIRST_RUN_SPECS = /accounts\.spec\.ts$/;

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
    // The browser's zone; `npm run test:clock` sets it to one with a daylight-saving change.
    timezoneId: process.env.E2E_TIMEZONE || undefined,
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    // Stories that sign up (or find) their own people on a shared install, in any order.
    { name: 'fresh', testIgnore: [DEMO_SPECS, FIRST_RUN_SPECS] },
    // The first visitor of a fresh install becomes its admin: accounts.spec.ts, alone on its own server.
    { name: 'first-run', testMatch: FIRST_RUN_SPECS, use: { baseURL: `http://127.0.0.1:${FIRST_RUN_PORT}` } },
    { name: 'demo', testMatch: DEMO_SPECS, use: { baseURL: `http://127.0.0.1:${DEMO_PORT}` } },
  ],
  webServer: [
    {
      command: serve,
      url: `http://127.0.0.1:${PORT}/readyz`,
      timeout: 60_000,
      reuseExistingServer: false,
      env: { ...serverEnv, PORT: String(PORT), DATA_DIR: dataDir },
    },
    {
      command: serve,
      url: `http://127.0.0.1:${FIRST_RUN_PORT}/readyz`,
      timeout: 60_000,
      reuseExistingServer: false,
      env: { ...serverEnv, PORT: String(FIRST_RUN_PORT), DATA_DIR: firstRunDataDir },
    },
    {
      // Seeding is part of the startup, so the timeout bounds both (about 10 s on the CI machine).
      command: `${node} server/demo/seed-cli.ts --seed ${DEMO_YEAR.seed} --incidents ${DEMO_YEAR.incidents} --now ${DEMO_YEAR.now} && ${serve}`,
      url: `http://127.0.0.1:${DEMO_PORT}/readyz`,
      timeout: 120_000,
      reuseExistingServer: false,
      env: { ...serverEnv, PORT: String(DEMO_PORT), DATA_DIR: demoDataDir },
    },
  ],
});
