import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { generateDraft } from '../../server/postmortem/draft.ts';
import { applyDraftPiece, generatedDraftPieces, type DraftPiece, isGenerated, readPostmortem, sectionText } from '../../server/shared/postmortem-doc.ts';
import { addTimelineEntry, readHypotheses, readTimeline } from '../../server/shared/war-room-doc.ts';
import { incident, updates, warRoomDocument } from '../fixtures/postmortem/checkout-outage.ts';

/** The checkout outage's draft, its war room grown to `extra` more scribe entries. */
function bigDraft(extra: number) {
  const doc = warRoomDocument();
  const author = { id: 'scribe', name: 'Scribe' };
  for (let i = 0; i < extra; i++) {
    addTimelineEntry(doc, { at: new Date(Date.parse('2026-03-12T15:00:00.000Z') + i * 1000).toISOString(), kind: 'note', text: `Checked ${i}`, author, hypothesisId: null });
  }
  return generateDraft({ incident, hypotheses: readHypotheses(doc), timeline: readTimeline(doc), updates, now: new Date('2026-03-12T17:00:05.000Z') });
}

/** Applies each piece as the server does, as a change of its own; returns each change's update size in entries. */
function applyPieces(doc: Y.Doc, pieces: DraftPiece[]): number[] {
  const entriesPerChange: number[] = [];
  for (const piece of pieces) {
    const before = readPostmortem(doc).timeline.length;
    applyDraftPiece(doc, piece);
    entriesPerChange.push(readPostmortem(doc).timeline.length - before);
  }
  return entriesPerChange;
}

describe('a generated draft written in pieces', () => {
  it('writes the whole draft, no change carrying more than 200 timeline entries, and is complete only after the last', () => {
    const content = bigDraft(1_500);
    const doc = new Y.Doc();
    const pieces = generatedDraftPieces(content);

    const completeAfter: boolean[] = [];
    for (const piece of pieces) {
      applyDraftPiece(doc, piece);
      completeAfter.push(isGenerated(doc));
    }

    expect(content.timeline.length).toBeGreaterThan(1_500);
    expectDraft(doc, content);
    expect(completeAfter.slice(0, -1).every((complete) => !complete)).toBe(true);
    expect(completeAfter.at(-1)).toBe(true);
    expect(Math.max(...applyPieces(new Y.Doc(), pieces))).toBeLessThanOrEqual(200);
  });

  it('is written again, whole and once, by the next attempt after an interruption half-way', () => {
    const content = bigDraft(1_000);
    const doc = new Y.Doc();
    const pieces = generatedDraftPieces(content);
    pieces.slice(0, Math.floor(pieces.length / 2)).forEach((piece) => applyDraftPiece(doc, piece));
    expect(isGenerated(doc)).toBe(false);

    generatedDraftPieces(content).forEach((piece) => applyDraftPiece(doc, piece));

    expectDraft(doc, content);
  });

  it('is written as the new content says when the war room changed between the interrupted attempt and the next', () => {
    const first = bigDraft(1_000);
    const doc = new Y.Doc();
    const pieces = generatedDraftPieces(first);
    pieces.slice(0, Math.floor(pieces.length / 2)).forEach((piece) => applyDraftPiece(doc, piece));

    const second = bigDraft(300);
    generatedDraftPieces(second).forEach((piece) => applyDraftPiece(doc, piece));

    expectDraft(doc, second);
  });

  it('leaves a complete draft alone, with the edits people made to it', () => {
    const content = bigDraft(10);
    const doc = new Y.Doc();
    generatedDraftPieces(content).forEach((piece) => applyDraftPiece(doc, piece));
    sectionText(doc, 'summary')!.insert(0, 'Edited. ');

    generatedDraftPieces({ ...content, generatedAt: '2026-03-13T09:00:00.000Z' }).forEach((piece) => applyDraftPiece(doc, piece));

    expect(sectionText(doc, 'summary')?.toString()).toBe(`Edited. ${content.sections.summary}`);
    expect(readPostmortem(doc).generatedAt).toBe(content.generatedAt);
  });
});

/** The document holds exactly the generated content. */
function expectDraft(doc: Y.Doc, content: ReturnType<typeof bigDraft>): void {
  const read = readPostmortem(doc);
  expect(read.sections).toEqual(content.sections);
  expect(read.timeline).toEqual(content.timeline);
  expect(read.factors).toEqual(content.factors);
  expect(read.generatedAt).toBe(content.generatedAt);
  expect(read.incidentId).toBe(content.incidentId);
}
