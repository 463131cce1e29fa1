/**
 * A new embedded database is created in a child process (initdb's memory
 * stays out of the server's process), then opened by the server.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { createInChildProcess, holdsDatabase } from '../../server/db/pglite-first-start.ts';

describe('a first start on embedded PGlite', () => {
  const root = mkdtempSync(join(tmpdir(), 'warroom-first-start-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates the database in a child process, and the server opens it with what was written', async () => {
    const dir = join(root, 'fresh', 'pglite');
    mkdirSync(dir, { recursive: true });
    expect(holdsDatabase(dir)).toBe(false);
    await createInChildProcess(dir);
    expect(holdsDatabase(dir)).toBe(true);

    const db = await openDatabase({ dataDir: join(root, 'fresh') });
    try {
      await db.sql`create table kept (n int)`;
      await db.sql`insert into kept values (1)`;
    } finally {
      await db.close();
    }
    const reopened = await openDatabase({ dataDir: join(root, 'fresh') });
    try {
      expect(await reopened.sql`select n from kept`).toEqual([{ n: 1 }]);
    } finally {
      await reopened.close();
    }
  });

  it('leaves a directory that already holds a database to the server', async () => {
    // Not a real database: a child process opening it would fail, so resolving means none was started.
    const dir = join(root, 'existing');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'PG_VERSION'), '18\n');
    await expect(createInChildProcess(dir)).resolves.toBeUndefined();
  });

  it('says why when the database cannot be created', async () => {
    const notADirectory = join(root, 'a-file');
    writeFileSync(notADirectory, 'not a directory');
    await expect(createInChildProcess(join(notADirectory, 'pglite'))).rejects.toThrow(/creating the embedded database in .* failed/);
  });
});
