// `npm run seed:demo [-- --seed N --incidents N --now ISO-TIME --force]`: fill the configured database with a demo year.
import { parseArgs } from 'node:util';
import { parseConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { seedDemo } from './seed.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    incidents: { type: 'string', default: '600' },
    // The year ends at this moment instead of the clock's: tests need the same data whatever day they run.
    now: { type: 'string' },
    force: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const incidents = Number(values.incidents);
if (!Number.isInteger(seed) || seed < 0 || !Number.isInteger(incidents) || incidents < 1 || incidents > 200_000) {
  console.error('--seed must be a whole number ≥ 0 and --incidents between 1 and 200000');
  process.exit(2);
}
const now = values.now === undefined ? undefined : new Date(values.now);
if (now && (Number.isNaN(now.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(values.now!))) {
  console.error(`--now must be an ISO date and time such as 2026-06-30T12:00:00Z, not "${values.now}"`);
  process.exit(2);
}

const config = parseConfig(process.env);
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrate(db.sql);
  const [{ count }] = await db.sql<{ count: number }>`select count(*)::int as count from incidents`;
  // Demo data mixed into real incidents would pollute metrics nobody could untangle again.
  if (count > 0 && !values.force) {
    console.error(`The database at ${db.location} already has ${count} incidents; refusing to add demo data. Pass --force if that is really what you want.`);
    process.exitCode = 1;
  } else {
    const summary = await seedDemo(db.sql, { seed, incidents, now });
    console.log(
      `Seeded ${db.location} in ${summary.ms} ms: ${summary.incidents} incidents (INC-${summary.firstNumber}…INC-${summary.lastNumber}), ` +
        `${summary.postmortems} published postmortems, ${summary.actionItems} action items, ${summary.runbooks} runbooks, ${summary.users} people.`,
    );
    console.log(`Sign in as ${summary.adminEmail} (admin) or any demo person; every password is "${summary.password}".`);
  }
} finally {
  await db.close();
}
