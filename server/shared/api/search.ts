/** What /api/search and /api/incidents/:ref/similar answer. */
import { z } from 'zod';
import { severity } from './components.ts';

const instant = z.iso.datetime();
const Segments = z.array(z.strictObject({ text: z.string(), hit: z.boolean() })).meta({ description: 'Plain text in order; `hit` marks words matching the query. Render as text, never as HTML.' });
const SearchResult = z.strictObject({
  ref: z.string(),
  number: z.number().int(),
  title: z.string(),
  titleSegments: Segments,
  severity,
  state: z.string(),
  services: z.array(z.string()),
  drill: z.boolean(),
  private: z.boolean(),
  startedAt: instant,
  resolvedAt: instant.nullable(),
  postmortemVersion: z.number().int().nullable().meta({ description: 'Latest published postmortem version, null when none is published' }),
  categories: z.array(z.string()).meta({ description: 'Contributing-factor categories of the published postmortem' }),
  url: z.string().meta({ description: 'The published postmortem when there is one, else the war room' }),
  rank: z.number(),
  snippet: Segments,
});
export const SearchResponse = z
  .strictObject({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), results: z.array(SearchResult) })
  .meta({ id: 'SearchResults' });
export const SimilarResponse = z
  .strictObject({
    similar: z.array(
      z.strictObject({
        ref: z.string(),
        number: z.number().int(),
        title: z.string(),
        severity,
        services: z.array(z.string()),
        sharedServices: z.array(z.string()),
        startedAt: instant,
        resolvedAt: instant.nullable(),
        postmortemVersion: z.number().int().nullable(),
        url: z.string(),
        confirmedHypotheses: z.array(z.string()).meta({ description: 'Contributing factors its postmortem traced to a confirmed hypothesis' }),
        score: z.number(),
      }),
    ),
  })
  .meta({ id: 'SimilarIncidents' });
