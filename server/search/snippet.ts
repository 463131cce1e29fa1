/**
 * Highlighted snippets as data, not HTML: ts_headline marks hits with control
 * characters the index strips from the text (see 011_search.sql), and this
 * splits them into segments the page renders as text, so nothing an incident
 * says can ever become markup.
 */
export interface Segment {
  text: string;
  hit: boolean;
}

export const START = '\u0002';
export const STOP = '\u0003';
/** ts_headline options: hits between START and STOP, up to two fragments of the text that matched. */
export const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "`;
/** The title is short: mark every hit in it and keep it whole. */
export const TITLE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, HighlightAll=true`;

export function segmentsOf(marked: string): Segment[] {
  const segments: Segment[] = [];
  const push = (raw: string, hit: boolean) => {
    // A stray marker of the other kind must not reach the page either.
    const text = raw.replaceAll(START, '').replaceAll(STOP, '');
    if (!text) return;
    const last = segments.at(-1);
    if (last && last.hit === hit) last.text += text;
    else segments.push({ text, hit });
  };
  let hit = false;
  let rest = marked.replace(/\s*\n\s*/g, ' · ');
  while (rest) {
    const next = rest.indexOf(hit ? STOP : START);
    if (next < 0) {
      push(rest, hit);
      break;
    }
    push(rest.slice(0, next), hit);
    rest = rest.slice(next + 1);
    hit = !hit;
  }
  // ts_headline marks each word of a phrase on its own; one mark reads better.
  const merged: Segment[] = [];
  for (const segment of segments) {
    const gap = merged.at(-1);
    const before = merged.at(-2);
    if (segment.hit && gap && !gap.hit && before?.hit && /^\s+$/.test(gap.text)) {
      merged.pop();
      before.text += gap.text + segment.text;
    } else merged.push(segment);
  }
  return merged;
}
