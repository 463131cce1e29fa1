/**
 * Whose memory moves in the server's resident set. Warroom's soak server
 * prints a line with its V8 heap and, on PGlite, the size of the embedded
 * database's WebAssembly memory (tests/helpers/collab-child.ts, asked with
 * MEMORY_REPORT_MS). How much of that memory is resident is read from
 * outside, in /proc/PID/smaps: V8 reserves a WebAssembly memory with guard
 * regions and makes only its current size readable and writable, so it is
 * the read-write anonymous mapping of exactly that size (checked against the
 * size the server reports; another mapping of the very same size would be
 * counted too, so the figure is an upper bound).
 */
import { readFileSync } from 'node:fs';

/** What the server reports about itself, bytes. */
export interface ServerMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** PGlite's WebAssembly memory; null on PostgreSQL. */
  wasm: number | null;
}

export const MEMORY_REPORT_MS = 1000;

/** The report in a line the server printed, or null. */
export function memoryIn(line: string): ServerMemory | null {
  if (!line.startsWith('{"memory"')) return null;
  try {
    return (JSON.parse(line) as { memory: ServerMemory }).memory;
  } catch {
    return null;
  }
}

/** Resident KiB of the read-write anonymous mappings of `bytes` in size (null: none of that size). */
export function residentOfSizeKiB(pid: number, bytes: number): number | null {
  const sizeKiB = bytes / 1024;
  let resident: number | null = null;
  let candidate = false;
  let size = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) {
      // address perms offset dev inode [path]: anonymous means inode 0 and no path.
      const [, perms, , , inode, path] = line.split(/\s+/);
      candidate = perms === 'rw-p' && inode === '0' && !path;
    } else if (candidate && line.startsWith('Size:')) size = Number(line.split(/\s+/)[1]);
    else if (candidate && line.startsWith('Rss:') && size === sizeKiB) resident = (resident ?? 0) + Number(line.split(/\s+/)[1]);
  }
  return resident;
}
