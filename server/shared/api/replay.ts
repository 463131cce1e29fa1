/** The war room as it was at a moment (time travel), and the replay slider's steps. */
import { z } from 'zod';
import { Hypothesis, TimelineEntry } from './components.ts';

export const ReplayMoments = z.object({
  moments: z.array(z.object({ at: z.iso.datetime(), from: z.iso.datetime(), userId: z.string().nullable(), changes: z.number().int() })),
  changes: z.number().int(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
});

const ReplayedEntry = TimelineEntry.extend({
  writtenAt: z.iso.datetime().nullable().meta({ description: 'When the entry was written (server time): where "jump to entry" goes, whatever time it was backfilled to' }),
});

export const ReplayState = z.object({
  at: z.iso.datetime(),
  changes: z.number().int().meta({ description: 'Changes made up to `at`' }),
  timeline: z.array(ReplayedEntry),
  timelineTotal: z.number().int(),
  hypotheses: z.array(Hypothesis),
  hypothesesTotal: z.number().int(),
  drafts: z.record(z.string(), z.string()),
  draftsTruncated: z.array(z.string()),
});
