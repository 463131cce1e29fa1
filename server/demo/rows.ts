/** The demo data as plain rows, keyed by column name, ready for writeRows. Dates are ISO strings. */
export type Rows = Record<string, unknown>[];

export interface DemoRows {
  users: Rows;
  incidents: Rows;
  documents: Rows;
  participants: Rows;
  events: Rows;
  postmortems: Rows;
  postmortemVersions: Rows;
  actionItems: Rows;
  runbooks: Rows;
  runbookVersions: Rows;
  runbookUses: Rows;
}

export const emptyRows = (): DemoRows => ({
  users: [],
  incidents: [],
  documents: [],
  participants: [],
  events: [],
  postmortems: [],
  postmortemVersions: [],
  actionItems: [],
  runbooks: [],
  runbookVersions: [],
  runbookUses: [],
});

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const iso = (ms: number) => new Date(ms).toISOString();
