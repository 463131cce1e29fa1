import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, metricsCsv } from '../../server/metrics/csv.ts';
import type { IncidentRecord } from '../../server/metrics/repo.ts';

describe('CSV cells', () => {
  it('quotes cells holding quotes, commas or line breaks, doubling inner quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('db, cache')).toBe('"db, cache"');
    expect(csvCell('the "big" one')).toBe('"the ""big"" one"');
    expect(csvCell('line one\nline two')).toBe('"line one\nline two"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+1 for cache')).toBe("'+1 for cache");
    expect(csvCell('-rf')).toBe("'-rf");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
  });

  it('writes numbers, booleans and missing values as they are', () => {
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
  });
});

describe('metrics CSV', () => {
  const started = new Date('2026-03-02T10:00:00Z');
  const row: IncidentRecord = {
    id: 'x',
    number: 42,
    title: '=cmd|"/c calc"!A1, then more',
    severity: 1,
    services: ['payments', 'db'],
    drill: false,
    private: false,
    startedAt: started,
    detectedAt: new Date('2026-03-02T10:12:30Z'),
    declaredAt: new Date('2026-03-02T10:15:00Z'),
    acknowledgedAt: new Date('2026-03-02T10:15:00Z'),
    mitigatedAt: null,
    resolvedAt: new Date('2026-03-02T11:15:00Z'),
    closedAt: null,
    reopenCount: 1,
    postmortemPublishedAt: null,
    postmortemCategories: [],
    hypothesisWrittenAt: null,
  };

  it('writes the factor categories and whether the incident recurred, empty when it cannot be classified', () => {
    const written = { ...row, title: 'Replica lag', postmortemPublishedAt: new Date('2026-03-04T10:00:00Z'), postmortemCategories: ['process', 'technical'] };
    const earlier = { incidentId: 'y', services: ['db'], categories: ['technical'], drill: false, publishedAt: new Date('2026-02-01T00:00:00Z') };
    const [header, line] = metricsCsv([written], [earlier], 'week').split('\r\n');
    const cells = line.split(',');
    const column = (name: string) => cells[header.split(',').indexOf(name)];
    expect(column('factor_categories')).toBe('process technical');
    expect(column('recurrence')).toBe('true');
    const [, unclassified] = metricsCsv([{ ...row, title: 'Replica lag' }], [earlier], 'week').split('\r\n');
    expect(unclassified.split(',')[header.split(',').indexOf('recurrence')]).toBe('');
  });

  it('gives when the confirmed hypothesis was written and the minutes from there to resolution', () => {
    // Resolved 11:15, the hypothesis that held was written at 10:40: 35 minutes.
    const [header, line] = metricsCsv([{ ...row, title: 'Pool', hypothesisWrittenAt: new Date('2026-03-02T10:40:00Z') }], [], 'week').split('\r\n');
    const column = (name: string) => line.split(',')[header.split(',').indexOf(name)];
    expect(column('hypothesis_written_at')).toBe('2026-03-02T10:40:00.000Z');
    expect(column('hypothesis_to_resolve_min')).toBe('35');
  });

  it('has a header and one CRLF-terminated row per non-drill incident, with durations in minutes', () => {
    const csv = metricsCsv([row, { ...row, id: 'd', number: 43, drill: true }], [], 'week');
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[1]).toBe(
      [
        'INC-42', `"'=cmd|""/c calc""!A1, then more"`, '1', 'payments db', '2026-W10', 'false',
        '2026-03-02T10:00:00.000Z', '2026-03-02T10:12:30.000Z', '2026-03-02T10:15:00.000Z', '2026-03-02T10:15:00.000Z', '', '2026-03-02T11:15:00.000Z', '',
        '1', '', '', '', '12.5', '0', '75', '', '', '',
      ].join(','),
    );
  });
});
