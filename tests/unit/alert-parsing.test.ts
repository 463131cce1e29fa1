import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertmanagerPayload, fromAlertmanager, labelFingerprint } from '../../server/alerts/alertmanager.ts';
import { fromGeneric, genericAlert } from '../../server/alerts/generic.ts';

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/alertmanager', name), 'utf8'));
const parseAm = (name: string) => fromAlertmanager(alertmanagerPayload.parse(fixture(name)));

describe('Alertmanager webhook payload', () => {
  it('turns a grouped firing notification into one alert per member, sharing the group key', () => {
    const alerts = parseAm('firing-group.json');
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toEqual({
      source: 'alertmanager',
      fingerprint: '4a1e0c3d9b8f7a21',
      status: 'firing',
      name: 'HighErrorRate',
      summary: 'Payments API 5xx rate above 5%',
      severity: 'critical',
      service: 'payments',
      labels: expect.objectContaining({ alertname: 'HighErrorRate', service: 'Payments', severity: 'critical', namespace: 'prod' }),
      url: expect.stringMatching(/^http:\/\/prometheus-k8s-0:9090\/graph\?g0\.expr=/),
      groupKey: '{}/{severity="critical"}:{alertname="HighErrorRate", service="Payments"}',
      // Nanoseconds are cut to milliseconds; Go's zero endsAt means "still firing".
      startsAt: new Date('2026-11-23T09:58:12.345Z'),
      endsAt: null,
    });
    expect(alerts[1].fingerprint).toBe('9c07b5e2a4d31f68');
    expect(alerts[1].groupKey).toBe(alerts[0].groupKey);
  });

  it('reads a resolved notification with its end time', () => {
    const [alert] = parseAm('resolved.json');
    expect(alert).toMatchObject({ status: 'resolved', fingerprint: '4a1e0c3d9b8f7a21', endsAt: new Date('2026-11-23T10:21:42.345Z') });
  });

  it('tolerates extra fields, missing fingerprints, other summary annotations and unsafe links', () => {
    const [first, second] = parseAm('mixed-no-fingerprint.json');
    expect(first.summary).toMatch(/CrashLoopBackOff/);
    expect(second.summary).toBe('Pod search/indexer-5c6d-fghij restarted 5 times.');
    expect(first.url).toBeNull(); // javascript: never becomes a link
    expect(second.url).toBeNull();
    expect(first.service).toBeNull();
    expect(first.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(first.fingerprint).not.toBe(second.fingerprint);
    expect(second.status).toBe('resolved');
  });

  it('computes the same fingerprint whatever the label order', () => {
    expect(labelFingerprint({ a: '1', b: '2' })).toBe(labelFingerprint({ b: '2', a: '1' }));
    expect(labelFingerprint({ a: '1', b: '2' })).not.toBe(labelFingerprint({ a: '1', b: '3' }));
    // The separator keeps {a: "1b"} and {a: "1", b: ""} apart.
    expect(labelFingerprint({ a: '1b' })).not.toBe(labelFingerprint({ a: '1', b: '' }));
  });

  it('refuses what is not an Alertmanager payload, saying where', () => {
    const bad = (value: unknown) => alertmanagerPayload.safeParse(value);
    expect(bad({ status: 'firing' }).error?.issues[0].path).toEqual(['alerts']);
    expect(bad({ status: 'firing', alerts: [{ status: 'firing', labels: {}, startsAt: 'soon' }] }).error?.issues[0].path).toEqual(['alerts', 0, 'startsAt']);
    expect(bad({ status: 'burning', alerts: [] }).success).toBe(false);
    expect(bad({ status: 'firing', alerts: [{ status: 'firing', labels: { n: 1 }, startsAt: '2026-01-01T00:00:00Z' }] }).success).toBe(false);
    const many = Array.from({ length: 1001 }, () => ({ status: 'firing', labels: {}, startsAt: '2026-01-01T00:00:00Z' }));
    expect(bad({ status: 'firing', alerts: many }).error?.issues[0].message).toMatch(/at most 1000/);
  });
});

describe('generic alert form', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  it('fills labels from the named fields and groups by source and service', () => {
    const body = genericAlert.parse({
      source: 'Grafana',
      fingerprint: 'disk-full-db1',
      summary: 'Disk 95% full on db1',
      severity: 'critical',
      service: 'Orders-DB',
      url: 'https://grafana.example.com/d/abc',
      labels: { severity: 'info', team: 'storage' },
    });
    expect(fromGeneric(body, now)).toEqual({
      source: 'grafana',
      fingerprint: 'disk-full-db1',
      status: 'firing',
      name: 'Disk 95% full on db1',
      summary: 'Disk 95% full on db1',
      severity: 'critical',
      service: 'orders-db',
      labels: { source: 'grafana', severity: 'critical', service: 'Orders-DB', team: 'storage' },
      url: 'https://grafana.example.com/d/abc',
      groupKey: 'grafana:orders-db',
      startsAt: now,
      endsAt: null,
    });
  });

  it('takes startsAt and status when given', () => {
    const alert = fromGeneric(genericAlert.parse({ source: 'cron', fingerprint: 'f', summary: 's', status: 'resolved', startsAt: '2026-11-23T11:00:00+01:00' }), now);
    expect(alert).toMatchObject({ status: 'resolved', startsAt: new Date('2026-11-23T10:00:00Z'), service: null, groupKey: 'cron:fingerprint:f' });
  });

  it('refuses missing fields and non-http links', () => {
    const issue = (value: unknown) => genericAlert.safeParse(value).error?.issues[0];
    expect(issue({ fingerprint: 'f', summary: 's' })?.path).toEqual(['source']);
    expect(issue({ source: 'x', summary: 's' })?.path).toEqual(['fingerprint']);
    expect(issue({ source: 'x', fingerprint: 'f', summary: ' ' })?.path).toEqual(['summary']);
    expect(issue({ source: 'x', fingerprint: 'f', summary: 's', url: 'javascript:alert(1)' })?.path).toEqual(['url']);
    expect(issue({ source: 'x y', fingerprint: 'f', summary: 's' })?.message).toMatch(/word/);
  });
});
