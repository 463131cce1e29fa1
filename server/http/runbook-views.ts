/** The views runbook handlers answer with, typed by their schemas in server/shared/api/runbooks.ts (/api/docs documents them). */
import type { z } from 'zod';
import type { Runbook, RunbookVersion, Stamp } from '../runbooks/repo.ts';
import { isStale, staleSince } from '../runbooks/stale.ts';
import type * as api from '../shared/api/runbooks.ts';

export const toStampView = (stamp: Stamp): z.infer<typeof api.StampSchema> => ({
  kind: stamp.kind,
  incidentNumber: stamp.incidentNumber,
  incidentRef: stamp.incidentNumber === null ? null : `INC-${stamp.incidentNumber}`,
  by: stamp.by,
  at: stamp.at.toISOString(),
});

export function toRunbookSummary(runbook: Runbook, now = new Date()): z.infer<typeof api.RunbookSummarySchema> {
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

export const toRunbookView = (runbook: Runbook, stamps: Stamp[]): z.infer<typeof api.RunbookSchema> => ({ ...toRunbookSummary(runbook), body: runbook.body, stamps: stamps.map(toStampView) });

export const toVersionSummary = (v: RunbookVersion): z.infer<typeof api.RunbookVersionSummarySchema> => ({ version: v.version, title: v.title, author: v.author, at: v.at.toISOString(), note: v.note });
export const toVersionView = (v: RunbookVersion): z.infer<typeof api.RunbookVersionSchema> => ({ ...toVersionSummary(v), body: v.body });
