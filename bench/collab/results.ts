/**
 * What the benchmark collects: one row per figure, one sample per target per
 * round; a cell is the median of its rounds. A sample may carry several
 * values (p50 / p99 / max), a text that replaces them (e.g. the document was
 * lost on restart), flags that qualify the figure, and notes for the log.
 */
import { median } from './stats.ts';

export interface Row {
  key: string;
  title: string;
  better: 'higher' | 'lower';
  /** Digits after the point, per value. */
  digits: number[];
}

export interface Sample {
  values: number[];
  /** Replaces the values in the table (and keeps the cell out of the ratio). */
  text?: string;
  /** Footnote marks, explained under the table. */
  flags?: string[];
  notes?: string[];
}

export class Results {
  readonly rows: Row[] = [];
  readonly #samples = new Map<string, Map<string, Sample[]>>();

  add(row: Row, targetId: string, sample: Sample): void {
    if (!this.rows.some((r) => r.key === row.key)) this.rows.push(row);
    let byTarget = this.#samples.get(row.key);
    if (!byTarget) this.#samples.set(row.key, (byTarget = new Map()));
    byTarget.set(targetId, [...(byTarget.get(targetId) ?? []), sample]);
  }

  /** The cell: per-value medians over rounds; text if any round had one. */
  cell(rowKey: string, targetId: string): Sample | null {
    const samples = this.#samples.get(rowKey)?.get(targetId);
    if (!samples?.length) return null;
    const withText = samples.find((s) => s.text !== undefined);
    const width = Math.max(...samples.map((s) => s.values.length));
    return {
      values: Array.from({ length: width }, (_, i) => median(samples.map((s) => s.values[i] ?? Number.NaN))),
      text: withText?.text,
      flags: [...new Set(samples.flatMap((s) => s.flags ?? []))],
      notes: samples.flatMap((s) => s.notes ?? []),
    };
  }

  toJSON() {
    return Object.fromEntries([...this.#samples].map(([key, byTarget]) => [key, Object.fromEntries(byTarget)]));
  }
}
