/** Process reviews as the API answers them: the review computed over its incidents, and the saved reviews' list. */
import { z } from 'zod';
import { DELAY_KINDS } from '../practice-vocabulary.ts';
import { ActionItemSchema } from './action-items.ts';
import { PersonRef } from './components.ts';

const instant = z.iso.datetime();
const Moment = instant.nullable();
const ReviewedIncidentSchema = z.strictObject({
  id: z.string(),
  ref: z.string(),
  title: z.string(),
  severity: z.number().int(),
  services: z.array(z.string()),
  startedAt: instant,
  mitigatedAt: Moment,
  resolvedAt: Moment,
  hypothesis: z.strictObject({ statement: z.string(), firstWrittenAt: instant, confirmedAt: instant }).nullable(),
  startToHypothesisMs: z.number().int().nullable(),
  hypothesisToConfirmedMs: z.number().int().nullable(),
  hypothesisToMitigatedMs: z.number().int().nullable(),
  hypothesisToResolvedMs: z.number().int().nullable(),
  evidence: z.array(z.strictObject({ id: z.string(), at: z.string(), kind: z.string(), text: z.string(), author: z.string().nullable(), gapMs: z.number().int() })),
  longestGap: z.strictObject({ afterText: z.string(), beforeText: z.string(), ms: z.number().int() }).nullable(),
  delay: z.strictObject({ kind: z.enum(DELAY_KINDS), note: z.string() }).nullable(),
});
const SummarySchema = z.strictObject({
  incidents: z.number().int(),
  hypothesisToResolved: z.strictObject({ median: z.number().nullable(), measured: z.number().int(), notRecorded: z.number().int() }),
  startToHypothesis: z.strictObject({ median: z.number().nullable(), measured: z.number().int() }),
  delays: z.array(z.strictObject({ kind: z.enum(DELAY_KINDS), name: z.string(), count: z.number().int() })),
  undecided: z.number().int(),
});
const Definitions = z.strictObject({
  metric: z.strictObject({ id: z.string(), name: z.string(), unit: z.string(), definition: z.string() }),
  delays: z.array(z.strictObject({ id: z.enum(DELAY_KINDS), name: z.string(), definition: z.string() })),
});
const Filters = z.strictObject({ count: z.number().int(), severity: z.array(z.number().int()).nullable(), service: z.string().nullable(), from: z.string().nullable(), to: z.string().nullable() });
export const ProcessReviewSchema = z
  .strictObject({
    id: z.string().nullable().meta({ description: 'null for a preview that is not saved' }),
    title: z.string(),
    filters: Filters,
    notes: z.string(),
    createdBy: PersonRef.nullable(),
    createdAt: instant.nullable(),
    incidents: z.array(ReviewedIncidentSchema),
    hidden: z.number().int().meta({ description: 'Incidents of the review you may not see, left out' }),
    summary: SummarySchema,
    findings: z.array(ActionItemSchema),
    definitions: Definitions,
  })
  .meta({ id: 'ProcessReview' });
export const ReviewSummaryRow = z.strictObject({ id: z.string(), title: z.string(), incidents: z.number().int(), createdBy: PersonRef.nullable(), createdAt: instant, updatedAt: instant });
