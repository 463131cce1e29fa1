/** Shapes of /api/search and /api/incidents/:ref/similar, read from the API's own schemas (type-only), and the search page's URL ↔ query mapping. */
import type { z } from 'zod';
import type * as schemas from '$shared/api/search';

export type SearchResponse = z.infer<typeof schemas.SearchResponse>;
export type SearchResult = SearchResponse['results'][number];
/** Plain text in order; `hit` marks words that matched. Rendered as text, never as HTML. */
export type Segment = SearchResult['snippet'][number];
export type SimilarIncident = z.infer<typeof schemas.SimilarResponse>['similar'][number];

export const FACTOR_CATEGORY_LABELS: Record<string, string> = {
  technical: 'Technical',
  process: 'Process',
  human_factors: 'Human factors',
  tooling: 'Tooling',
};

/** URL parameters the page keeps and passes through to the API, so a search can be shared as a link. */
export const SEARCH_PARAMS = ['q', 'service', 'severity', 'from', 'to', 'category', 'drills', 'offset'] as const;

export function apiQuery(url: URLSearchParams, limit: number): string {
  const qs = new URLSearchParams();
  for (const name of SEARCH_PARAMS) {
    const value = url.get(name)?.trim();
    if (value) qs.set(name, value);
  }
  qs.set('limit', String(limit));
  return qs.toString();
}
