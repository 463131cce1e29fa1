/**
 * The server's changes to live documents are plain data: a command copied to
 * another thread (structured clone, as postMessage does) must do there exactly
 * what it does here, and each must be safe to repeat, since the domain code
 * retries them after failures.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { runDocumentCommand, type DocumentCommand } from '../../server/documents/commands.ts';
import type { IncidentEvent } from '../../server/incidents/events.ts';
import { generatedDraftPieces, readPostmortem, recordRev, type PostmortemContent } from '../../server/shared/postmortem-doc.ts';
import { meta, readDraft, readTimeline, seedDrafts } from '../../server/shared/war-room-doc.ts';

const event = (id: number, { kind, ...data }: { kind: string } & Record<string, unknown>, message: string): IncidentEvent =>
  ({ id, incidentId: 'i1', actor: { id: 'u1', displayName: 'Cora' }, at: new Date(Date.UTC(2026, 11, 7, 9, id)), message, kind, data: { ...data, by: null } }) as unknown as IncidentEvent;

/** Runs the command as it arrived on another thread. */
const runCopied = <C extends DocumentCommand>(doc: Y.Doc, command: C) => runDocumentCommand(doc, structuredClone(command));

describe('document commands', () => {
  it('adds a timeline entry once: a repeat with the same id writes nothing and says so', () => {
    const doc = new Y.Doc();
    const command = {
      kind: 'add-timeline-entry',
      entry: { id: 'alert-a1', kind: 'alert', text: 'Alert CPU high', at: '2026-12-07T09:00:00.000Z', author: null, hypothesisId: null, auto: true },
    } as const;
    const written = runCopied(doc, command);
    expect(written).toMatchObject({ id: 'alert-a1', kind: 'alert', text: 'Alert CPU high', auto: true });
    expect(runCopied(doc, command)).toBeNull();
    expect(readTimeline(doc).map((entry) => entry.id)).toEqual(['alert-a1']);
  });

  it('gives an entry without an id a new one each time', () => {
    const doc = new Y.Doc();
    const entry = { kind: 'note', text: 'Checked the dashboards', at: '2026-12-07T09:00:00.000Z', author: { id: 'u1', name: 'Cora' }, hypothesisId: null } as const;
    const first = runCopied(doc, { kind: 'add-timeline-entry', entry });
    const second = runCopied(doc, { kind: 'add-timeline-entry', entry });
    expect(first!.id).not.toBe(second!.id);
    expect(readTimeline(doc)).toHaveLength(2);
  });

  it('mirrors incident events with their dates after a copy, once, and moves the revision to the latest event', () => {
    const doc = new Y.Doc();
    const events = [event(3, { kind: 'severity', from: 2, to: 1 }, 'Severity raised to SEV1'), event(4, { kind: 'state', from: 'investigating', to: 'mitigated' }, 'Mitigated')];
    runCopied(doc, { kind: 'apply-incident-events', events });
    runCopied(doc, { kind: 'apply-incident-events', events });
    expect(readTimeline(doc).map((entry) => [entry.text, entry.at])).toEqual([
      ['Severity raised to SEV1', '2026-12-07T09:03:00.000Z'],
      ['Mitigated', '2026-12-07T09:04:00.000Z'],
    ]);
    expect(meta(doc).get('rev')).toBe(4);
  });

  it('replaces a draft only when it differs, and creates it when missing', () => {
    const doc = new Y.Doc();
    seedDrafts(doc, { customers: 'We are looking into it.' });
    expect(runCopied(doc, { kind: 'set-draft', audience: 'customers', text: 'Resolved.' })).toBe(true);
    expect(runCopied(doc, { kind: 'set-draft', audience: 'customers', text: 'Resolved.' })).toBe(false);
    expect(runCopied(doc, { kind: 'set-draft', audience: 'executives', text: 'Resolved.' })).toBe(true);
    expect([readDraft(doc, 'customers'), readDraft(doc, 'executives')]).toEqual(['Resolved.', 'Resolved.']);
    expect(runCopied(doc, { kind: 'seed-drafts', drafts: { customers: 'Other', responders: 'New' } })).toEqual(['responders']);
  });

  it('writes a generated draft from copied pieces and reports its time only once complete', () => {
    const doc = new Y.Doc();
    const content = {
      ...readPostmortem(new Y.Doc()),
      incidentId: 'i1',
      generatedAt: '2026-12-07T10:00:00.000Z',
      timeline: Array.from({ length: 450 }, (_, i) => ({ id: `e${i}`, at: '2026-12-07T09:00:00.000Z', kind: 'note', text: `Entry ${i}`, source: 'timeline' })),
    } as unknown as PostmortemContent;
    const pieces = generatedDraftPieces(content);
    const reported = pieces.map((piece) => runCopied(doc, { kind: 'write-draft-piece', piece }));
    expect(reported.slice(0, -1).every((at) => at === null)).toBe(true);
    expect(reported.at(-1)).toBe('2026-12-07T10:00:00.000Z');
    expect(readPostmortem(doc).timeline).toHaveLength(450);
    expect(runCopied(doc, { kind: 'add-missing-sections' })).toEqual([]);
  });

  it('bumps the postmortem revision by one per command', () => {
    const doc = new Y.Doc();
    runCopied(doc, { kind: 'bump-record-rev' });
    runCopied(doc, { kind: 'bump-record-rev' });
    expect(recordRev(doc)).toBe(2);
  });
});
