import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLocked, lockDataDir } from '../../server/db/data-dir-lock.ts';
import { openDatabase } from '../../server/db/database.ts';

describe('one process per embedded database directory', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'warroom-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a DATA_DIR another running process holds, naming it', async () => {
    const dir = newDir();
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'warroom.lock'), String(other.pid));
      await expect(openDatabase({ dataDir: dir })).rejects.toThrow(DataDirLocked);
      await expect(openDatabase({ dataDir: dir })).rejects.toThrow(`pid ${other.pid}`);
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left by a process that is gone, and releases it on close', async () => {
    const dir = newDir();
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('exit', resolve));
    writeFileSync(join(dir, 'warroom.lock'), String(gone.pid));
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'warroom.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, 'warroom.lock'))).toBe(false);
  });
});
