import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { loadMigrations, migrate } from '../../server/db/migrate.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe.each(backends)('migrations (%s)', (backend) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('applies every migration once, in order, and a second run is a no-op', async () => {
    db = await openTestDatabase(backend, { migrate: false });
    const all = loadMigrations();
    expect(all.map((m) => m.version)).toEqual([...all.map((m) => m.version)].sort((a, b) => a - b));
    expect(await migrate(db.sql)).toEqual(all.map((m) => m.name));
    expect(await migrate(db.sql)).toEqual([]);
    const rows = await db.sql<{ version: number }>`select version from schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(all.map((m) => m.version));
  });

  it('rolls a failing migration back completely and records nothing for it', async () => {
    db = await openTestDatabase(backend, { migrate: false });
    const broken = [
      { version: 1, name: '001_ok', sql: 'create table ok_table (id int);' },
      { version: 2, name: '002_broken', sql: 'create table half_done (id int); select * from no_such_table;' },
    ];
    await expect(migrate(db.sql, broken)).rejects.toThrow(/no_such_table/);
    const versions = await db.sql<{ version: number }>`select version from schema_migrations`;
    expect(versions.map((r) => r.version)).toEqual([1]);
    const halfDone = await db.sql`select 1 from information_schema.tables where table_name = 'half_done' and table_schema = current_schema()`;
    expect(halfDone).toHaveLength(0);
  });

  it('lets concurrent migrators in one process queue on the lock', async () => {
    db = await openTestDatabase(backend, { migrate: false });
    const results = await Promise.all([migrate(db.sql), migrate(db.sql), migrate(db.sql)]);
    // Each migration is its own transaction, so the racers may split the list between them; together, each once.
    expect(results.flat().sort()).toEqual(loadMigrations().map((m) => m.name).sort());
  });
});

function runMigrateCli(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'server/db/migrate-cli.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.runIf(backends.includes('postgres'))('two processes migrating one PostgreSQL database at once', () => {
  it('both succeed and each migration is applied exactly once', async () => {
    const db = await openTestDatabase('postgres', { migrate: false });
    try {
      const url = `${db.url}${db.url!.includes('?') ? '&' : '?'}search_path=${db.schema}`;
      const [a, b] = await Promise.all([runMigrateCli({ DATABASE_URL: url }), runMigrateCli({ DATABASE_URL: url })]);
      expect(a.code, a.output).toBe(0);
      expect(b.code, b.output).toBe(0);
      const applied = [a.output, b.output].join('\n');
      for (const m of loadMigrations()) expect(applied.split(m.name).length - 1).toBe(1);
      const rows = await db.sql<{ n: number }>`select count(*)::int as n from schema_migrations`;
      expect(rows[0].n).toBe(loadMigrations().length);
    } finally {
      await db.close();
    }
  });
});

describe('embedded PGlite on disk', () => {
  it('keeps data across a close and reopen of the same directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warroom-pglite-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      await migrate(first.sql);
      await first.sql`insert into users (id, email, display_name, password_hash) values ('u1', 'a@b.co', 'A', 'x')`;
      await first.close();

      const second = await openDatabase({ dataDir: dir });
      expect(await migrate(second.sql)).toEqual([]);
      const rows = await second.sql<{ email: string }>`select email from users`;
      expect(rows.map((r) => r.email)).toEqual(['a@b.co']);
      expect(second.location).toBe(join(dir, 'pglite'));
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a migration directory with files in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warroom-mig-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '010_b.sql'), 'select 1;');
    writeFileSync(join(dir, '002_a.sql'), 'select 1;');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    expect(loadMigrations(dir).map((m) => m.name)).toEqual(['002_a', '010_b']);
    rmSync(dir, { recursive: true, force: true });
  });
});
