/** Runbooks as the API answers them: summaries, the whole runbook with its stamps, versions, diffs and the war room's prompt. */
import { z } from 'zod';
import { STAMP_KINDS } from '../runbook-vocabulary.ts';
import { PersonRef } from './components.ts';

const instant = z.iso.datetime();

export const StampSchema = z
  .strictObject({
    kind: z.enum(STAMP_KINDS),
    incidentNumber: z.number().int().nullable().meta({ description: 'Null when the incident is private and the caller is not in it' }),
    incidentRef: z.string().nullable(),
    by: PersonRef.nullable(),
    at: instant,
  })
  .meta({ id: 'RunbookStamp' });

export const RunbookSummarySchema = z
  .strictObject({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    services: z.array(z.string()),
    failureMode: z.string(),
    owner: PersonRef.nullable(),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
    lastUsed: StampSchema.nullable(),
    lastVerified: StampSchema.nullable(),
    stale: z.boolean().meta({ description: 'Not verified in an incident for 6 months (or, never verified, 6 months since written)' }),
    staleSince: instant,
  })
  .meta({ id: 'RunbookSummary' });

export const RunbookSchema = RunbookSummarySchema.extend({ body: z.string(), stamps: z.array(StampSchema) }).meta({ id: 'Runbook' });

export const RunbookVersionSummarySchema = z
  .strictObject({ version: z.number().int(), title: z.string(), author: PersonRef.nullable(), at: instant, note: z.string() })
  .meta({ id: 'RunbookVersionSummary' });
export const RunbookVersionSchema = RunbookVersionSummarySchema.extend({ body: z.string() }).meta({ id: 'RunbookVersion' });

export const DiffLineSchema = z
  .strictObject({
    kind: z.enum(['same', 'removed', 'added']),
    text: z.string(),
    oldLine: z.number().int().optional(),
    newLine: z.number().int().optional(),
  })
  .meta({ id: 'RunbookDiffLine' });

export const RunbookDraftSchema = z
  .strictObject({
    title: z.string(),
    services: z.array(z.string()),
    failureMode: z.string(),
    body: z.string(),
    private: z.boolean().meta({ description: 'From a private incident: its title, reference and summary are left out' }),
  })
  .meta({ id: 'RunbookDraft' });

export const IncidentRunbooksSchema = z
  .strictObject({
    runbooks: z.array(RunbookSummarySchema),
    prompt: z
      .strictObject({ resolvedBy: PersonRef.nullable(), isResolver: z.boolean(), draft: RunbookDraftSchema })
      .nullable()
      .meta({ description: 'Set once the incident is resolved, for whoever resolved it and those who worked it' }),
  })
  .meta({ id: 'IncidentRunbooks' });
