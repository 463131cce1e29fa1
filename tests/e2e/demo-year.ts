/**
 * The demo year the "demo" project's server is seeded with. The seed's `now`
 * is fixed, and the pages are opened on explicit ranges inside that year, so
 * every figure is the same whatever day the suite runs (a year that ended
 * "today" left the current month empty on the first days of a month).
 */
export const DEMO_YEAR = {
  seed: 7,
  /** Small, so seeding takes seconds. */
  incidents: 240,
  /** The last moment of the demo year: nothing in it happens later. */
  now: '2026-06-30T12:00:00Z',
  /** The twelve whole months that end with the seed's `now`, as /metrics takes them. */
  months: { from: '2025-07-01', to: '2026-06-30' },
  /** The quarter that ends with the seed's `now`, as /patterns takes it. */
  quarter: '2026-Q2',
} as const;
