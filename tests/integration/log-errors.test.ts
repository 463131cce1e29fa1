import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocument } from '../../server/collab/documents.ts';
import { createLogger } from '../../server/log.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

/** A logger at `error` whose lines land in `lines`. */
function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger('error', destination), lines };
}

describe.each(backends)('a failed query in the log (%s)', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('says what failed and which query, never the parameters it was given', async () => {
    const docId = `log-${backend}-${Date.now()}`;
    await createDocument(db.sql, docId, 'war-room');
    // A third of a megabyte of document state, bytes a person typed among them.
    const state = new Uint8Array(330_000).fill(0xab);
    state.set(new TextEncoder().encode('the secret customer name'), 1000);
    await db.sql`insert into document_snapshots (doc_id, state, covers_seq) values (${docId}, ${state}, 1)`;
    const failure = await db.sql`insert into document_snapshots (doc_id, state, covers_seq) values (${docId}, ${state}, 1)`.then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);

    const { log, lines } = capturingLogger();
    log.error({ err: failure, docId }, 'compaction on unload failed');
    log.error(failure as Error, 'the same error passed on its own');
    log.error({ err: new Error('could not store', { cause: failure }) }, 'and as the cause of another');

    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.length).toBeLessThan(8000);
      expect(line).not.toContain('abab');
      expect(line).not.toContain('171,171');
      expect(line).not.toContain('secret customer');
      expect(line).toContain('duplicate key value violates unique constraint');
      expect(line).toContain('23505');
      expect(line).toContain('insert into document_snapshots');
    }
    const first = JSON.parse(lines[0]);
    expect(first.docId).toBe(docId);
    expect(first.err).toMatchObject({ code: '23505', query: expect.stringMatching(/^insert into document_snapshots \(doc_id, state, covers_seq\)/) });
    expect(Object.keys(first.err).sort()).toEqual(['code', 'message', 'query', 'stack', 'type']);
  });
});
