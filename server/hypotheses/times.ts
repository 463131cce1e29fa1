/**
 * When an incident's team had the hypothesis that turned out right: the card
 * finally confirmed, when it was first written and when it was confirmed.
 * Read from the board's history (board-history.ts) and kept in
 * hypothesis_times, keyed by how far the document's change log had grown, so
 * /metrics and /review read a row per incident instead of loading every war
 * room on every request; a document that changed since is read again.
 */
import type { Sql } from '../db/sql.ts';
import { confirmedAt, loadBoardHistory, type CardHistory } from './board-history.ts';

export interface HypothesisTiming {
  hypothesisId: string;
  statement: string;
  /** When the card was first written (server time). */
  firstWrittenAt: Date;
  /** When it became confirmed and stayed so. */
  confirmedAt: Date;
}

/**
 * The hypothesis the team finally confirmed. When several cards stand
 * confirmed (a cause and a contributing cause), the one written first: the
 * question is how early the team had a right explanation. Null when no card
 * stands confirmed.
 */
export function confirmedHypothesis(cards: readonly CardHistory[]): HypothesisTiming | null {
  let best: HypothesisTiming | null = null;
  for (const card of cards) {
    const confirmed = confirmedAt(card);
    if (!confirmed) continue;
    if (best && best.firstWrittenAt.getTime() <= card.createdAt.getTime()) continue;
    best = { hypothesisId: card.id, statement: card.statement, firstWrittenAt: card.createdAt, confirmedAt: confirmed.at };
  }
  return best;
}

interface CachedRow {
  incident_id: string;
  doc_seq: number | string;
  hypothesis_id: string | null;
  statement: string | null;
  first_written_at: Date | null;
  confirmed_at: Date | null;
}

const fromRow = (row: CachedRow): HypothesisTiming | null =>
  row.hypothesis_id && row.first_written_at && row.confirmed_at
    ? { hypothesisId: row.hypothesis_id, statement: row.statement ?? '', firstWrittenAt: row.first_written_at, confirmedAt: row.confirmed_at }
    : null;

/** Each incident's timing (null: no confirmed hypothesis), from the cache or read afresh. */
export async function hypothesisTimes(sql: Sql, incidentIds: readonly string[]): Promise<Map<string, HypothesisTiming | null>> {
  const result = new Map<string, HypothesisTiming | null>();
  if (incidentIds.length === 0) return result;
  const incidents = (await sql<{ id: string; doc_id: string }>`select id, doc_id from incidents where id = any(${incidentIds}::text[])`).map((r) => ({ id: r.id, docId: r.doc_id }));
  const docIds = incidents.map((i) => i.docId);
  const seqRows = await sql<{ doc_id: string; seq: number | string | null }>`
    select d.doc_id, greatest(
      (select max(u.seq) from document_updates u where u.doc_id = d.doc_id),
      (select max(h.seq) from document_history h where h.doc_id = d.doc_id)) as seq
    from unnest(${docIds}::text[]) as d(doc_id)`;
  const seqOf = new Map(seqRows.map((r) => [r.doc_id, Number(r.seq ?? 0)]));
  const cached = await sql<CachedRow>`select * from hypothesis_times where incident_id = any(${incidents.map((i) => i.id)}::text[])`;
  const cacheOf = new Map(cached.map((r) => [r.incident_id, r]));
  for (const incident of incidents) {
    const seq = seqOf.get(incident.docId) ?? 0;
    // Nothing was ever written: no board, nothing to read.
    if (seq === 0) {
      result.set(incident.id, null);
      continue;
    }
    const row = cacheOf.get(incident.id);
    if (row && Number(row.doc_seq) === seq) {
      result.set(incident.id, fromRow(row));
      continue;
    }
    const timing = confirmedHypothesis(await loadBoardHistory(sql, incident.docId));
    await sql`
      insert into hypothesis_times (incident_id, doc_seq, hypothesis_id, statement, first_written_at, confirmed_at, computed_at)
      values (${incident.id}, ${seq}, ${timing?.hypothesisId ?? null}, ${timing?.statement ?? null}, ${timing?.firstWrittenAt ?? null}, ${timing?.confirmedAt ?? null}, now())
      on conflict (incident_id) do update set doc_seq = excluded.doc_seq, hypothesis_id = excluded.hypothesis_id, statement = excluded.statement,
        first_written_at = excluded.first_written_at, confirmed_at = excluded.confirmed_at, computed_at = excluded.computed_at`;
    result.set(incident.id, timing);
  }
  return result;
}
