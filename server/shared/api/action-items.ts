/** An action item as the API answers it: the one description, read by the OpenAPI document, the view function and the browser. */
import { z } from 'zod';
import { ACTION_KINDS, ACTION_ORIGINS, ACTION_PRIORITIES, ACTION_STATUSES } from '../postmortem-doc.ts';
import { PersonRef } from './components.ts';

const instant = z.iso.datetime();

export const ActionItemSchema = z
  .strictObject({
    id: z.string(),
    origin: z
      .strictObject({ kind: z.enum(ACTION_ORIGINS), id: z.string().nullable() })
      .meta({ description: 'Where it was found: a published postmortem, a drill debrief (id: the drill) or a process review (id: the review)' }),
    incident: z.strictObject({ id: z.string(), number: z.number().int(), title: z.string(), severity: z.literal([1, 2, 3, 4]), services: z.array(z.string()) }),
    title: z.string(),
    owner: PersonRef.nullable(),
    dueDate: z.string().nullable(),
    kind: z.enum(ACTION_KINDS),
    priority: z.enum(ACTION_PRIORITIES),
    status: z.enum(ACTION_STATUSES),
    problemCategory: z.string(),
    overdue: z.boolean(),
    doneAt: instant.nullable(),
    doneBy: PersonRef.nullable(),
    doneNote: z.string(),
    createdAt: instant,
    publishedAt: instant.nullable(),
  })
  .meta({ id: 'ActionItem' });
