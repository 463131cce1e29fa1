import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingAlert } from '../../server/alerts/incoming.ts';
import { upsertAlert } from '../../server/alerts/repo.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

/** The SQL behind dedup, straight against each database: what the HTTP tests rely on. */
describe.each(backends)('alert dedup (%s)', (backend) => {
  let db: TestDatabase;
  let n = 0;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  const alert = (overrides: Partial<IncomingAlert> = {}): IncomingAlert => ({
    source: 'alertmanager',
    fingerprint: `fp-${++n}`,
    status: 'firing',
    name: 'HighErrorRate',
    summary: 'Errors above 5%',
    severity: 'critical',
    service: 'payments',
    labels: { alertname: 'HighErrorRate', severity: 'critical', service: 'payments' },
    url: 'http://prometheus:9090/graph',
    groupKey: 'g',
    startsAt: new Date('2026-11-23T10:00:00Z'),
    endsAt: null,
    ...overrides,
  });

  it('creates once, then counts firing repeats and keeps the first start', async () => {
    const first = alert();
    const created = await upsertAlert(db.sql, first, new Date('2026-11-23T10:01:00Z'));
    expect(created.outcome).toBe('created');
    expect(created.alert).toMatchObject({ count: 1, status: 'firing', resolvedAt: null });
    const repeat = await upsertAlert(db.sql, { ...first, startsAt: new Date('2026-11-23T10:05:00Z'), summary: 'Errors above 9%' }, new Date('2026-11-23T10:02:00Z'));
    expect(repeat.outcome).toBe('repeated');
    expect(repeat.alert).toMatchObject({ id: created.alert.id, count: 2, summary: 'Errors above 9%', startsAt: first.startsAt });
    expect(repeat.alert.lastSeenAt).toEqual(new Date('2026-11-23T10:02:00Z'));
    expect(repeat.alert.firstSeenAt).toEqual(new Date('2026-11-23T10:01:00Z'));
  });

  it('closes on resolved without counting, ignores further resolved, and re-opens on firing with the new start', async () => {
    const a = alert();
    await upsertAlert(db.sql, a);
    const endsAt = new Date('2026-11-23T10:30:00Z');
    const resolved = await upsertAlert(db.sql, { ...a, status: 'resolved', endsAt });
    expect(resolved.outcome).toBe('resolved');
    expect(resolved.alert).toMatchObject({ status: 'resolved', count: 1, resolvedAt: endsAt });
    expect((await upsertAlert(db.sql, { ...a, status: 'resolved', endsAt: new Date('2026-11-23T10:31:00Z') })).outcome).toBe('unchanged');
    const restart = new Date('2026-11-23T11:00:00Z');
    const reopened = await upsertAlert(db.sql, { ...a, startsAt: restart });
    expect(reopened.outcome).toBe('reopened');
    expect(reopened.alert).toMatchObject({ id: resolved.alert.id, status: 'firing', count: 2, resolvedAt: null, startsAt: restart });
  });

  it('keys on source and fingerprint together', async () => {
    const a = alert();
    expect((await upsertAlert(db.sql, a)).outcome).toBe('created');
    expect((await upsertAlert(db.sql, { ...a, source: 'grafana' })).outcome).toBe('created');
  });

  it('makes one row and exactly one "created" out of simultaneous first deliveries', async () => {
    const a = alert();
    const results = await Promise.all(Array.from({ length: 25 }, () => db.sql.begin((tx) => upsertAlert(tx, a))));
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'repeated')).toHaveLength(24);
    const rows = await db.sql<{ count: number }>`select count from alerts where fingerprint = ${a.fingerprint}`;
    expect(rows).toEqual([{ count: 25 }]);
  });
});
