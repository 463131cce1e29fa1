/** Shapes of /api/search and /api/incidents/:ref/similar, and the search page's URL ↔ query mapping. */

/** Plain text in order; `hit` marks words that matched. Rendered as text, never as HTML. */
export interface Segment {
  text: string;
  hit: boolean;
}

export interface SearchResult {
  ref: string;
  number: number;
  title: string;
  titleSegments: Segment[];
  severity: 1 | 2 | 3 | 4;
  state: string;
  services: string[];
  drill: boolean;
  private: boolean;
  startedAt: string;
  resolvedAt: string | null;
  postmortemVersion: number | null;
  categories: string[];
  url: string;
  rank: number;
  snippet: Segment[];
}

export interface SearchResponse {
  total: number;
  limit: number;
  offset: number;
  results: SearchResult[];
}

export interface SimilarIncident {
  ref: string;
  number: number;
  title: string;
  severity: 1 | 2 | 3 | 4;
  services: string[];
  sharedServices: string[];
  startedAt: string;
  resolvedAt: string | null;
  postmortemVersion: number | null;
  url: string;
  confirmedHypotheses: string[];
  score: number;
}

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
