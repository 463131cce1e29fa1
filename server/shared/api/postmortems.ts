/** A postmortem as the API answers it: its review state and envelope, a published version, and the reviews running late. */
import { z } from 'zod';
import { POSTMORTEM_STATES } from '../postmortem-doc.ts';
import { PersonRef, severity } from './components.ts';

const instant = z.iso.datetime();
const Can = z.strictObject({ edit: z.boolean(), submit: z.boolean(), sendBack: z.boolean(), publish: z.boolean(), revise: z.boolean(), setDueDate: z.boolean() });
export const PostmortemEnvelope = z
  .strictObject({
    incident: z.strictObject({
      id: z.string(),
      number: z.number().int(),
      title: z.string(),
      severity,
      state: z.string(),
      services: z.array(z.string()),
      resolvedAt: instant.nullable(),
      closedAt: instant.nullable(),
    }),
    postmortem: z
      .strictObject({
        docId: z.string(),
        state: z.enum(POSTMORTEM_STATES),
        reviewDueAt: instant,
        overdue: z.boolean(),
        generatedAt: instant,
        submittedAt: instant.nullable(),
        submittedBy: PersonRef.nullable(),
        publishedAt: instant.nullable(),
        publishedBy: PersonRef.nullable(),
        version: z.number().int(),
        versions: z.array(z.strictObject({ version: z.number().int(), publishedAt: instant, publishedBy: PersonRef.nullable() })),
      })
      .nullable(),
    can: Can,
    actionItems: z.strictObject({ total: z.number().int(), done: z.number().int(), overdue: z.number().int() }),
  })
  .meta({ id: 'PostmortemEnvelope', description: 'An incident’s postmortem as the caller sees it; postmortem is null until the incident is closed.' });

export const PostmortemVersion = z
  .strictObject({
    version: z.number().int(),
    publishedAt: instant,
    publishedBy: PersonRef.nullable(),
    snapshot: z.record(z.string(), z.unknown()).meta({ description: 'PostmortemContent (server/shared/postmortem-doc.ts) as published' }),
    markdown: z.string(),
    html: z.string(),
  })
  .meta({ id: 'PostmortemVersion' });

export const OverdueReview = z.strictObject({
  incident: z.strictObject({ id: z.string(), number: z.number().int(), title: z.string(), severity }),
  state: z.enum(POSTMORTEM_STATES),
  reviewDueAt: instant,
});
