/** The JSON shapes of runbooks: the views handlers answer with and the schemas that document them (/api/docs). */
import { z } from 'zod';
import type { Runbook, RunbookVersion, Stamp } from '../runbooks/repo.ts';
import { STAMP_KINDS } from '../runbooks/repo.ts';
import { isStale, staleSince } from '../runbooks/stale.ts';
import type { DiffLine } from '../runbooks/diff.ts';
import { PersonRef } from './openapi/components.ts';

const instant = z.iso.datetime();

const StampSchema = z
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
  .strictObject({ title: z.string(), services: z.array(z.string()), failureMode: z.string(), body: z.string() })
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

export const toStampView = (stamp: Stamp) => ({
  kind: stamp.kind,
  incidentNumber: stamp.incidentNumber,
  incidentRef: stamp.incidentNumber === null ? null : `INC-${stamp.incidentNumber}`,
  by: stamp.by,
  at: stamp.at.toISOString(),
});

export function toRunbookSummary(runbook: Runbook, now = new Date()) {
  const clock = { createdAt: runbook.createdAt, lastVerifiedAt: runbook.lastVerified?.at ?? null };
  return {
    id: runbook.id,
    slug: runbook.slug,
    title: runbook.title,
    services: runbook.services,
    failureMode: runbook.failureMode,
    owner: runbook.owner,
    version: runbook.version,
    createdAt: runbook.createdAt.toISOString(),
    updatedAt: runbook.updatedAt.toISOString(),
    lastUsed: runbook.lastUsed ? toStampView(runbook.lastUsed) : null,
    lastVerified: runbook.lastVerified ? toStampView(runbook.lastVerified) : null,
    stale: isStale(clock, now),
    staleSince: staleSince(clock).toISOString(),
  };
}

export const toRunbookView = (runbook: Runbook, stamps: Stamp[]) => ({ ...toRunbookSummary(runbook), body: runbook.body, stamps: stamps.map(toStampView) });

export const toVersionSummary = (v: RunbookVersion) => ({ version: v.version, title: v.title, author: v.author, at: v.at.toISOString(), note: v.note });
export const toVersionView = (v: RunbookVersion) => ({ ...toVersionSummary(v), body: v.body });
