import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlDocumentStore } from '../../server/collab/storage.ts';
import { warmUpFirstSync } from '../../server/collab/warm-up.ts';
import { warmUpDocumentPolicy } from '../../server/wiring/document-policy.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

describe.each(backends)('warming up before taking connections (%s)', (backend) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('runs the session, access and load queries without writing anything', async () => {
    const rows = async () =>
      (
        await db.sql`
          select (select count(*) from sessions)::int as sessions, (select count(*) from users)::int as users,
            (select count(*) from documents)::int as documents, (select count(*) from document_updates)::int as updates,
            (select count(*) from document_snapshots)::int as snapshots, (select count(*) from document_history)::int as history`
      )[0];
    const before = await rows();

    await Promise.all([warmUpDocumentPolicy(db.sql), warmUpFirstSync(sqlDocumentStore(db.sql))]);

    expect(await rows()).toEqual(before);
  });
});
