/**
 * The debrief as a Markdown document, for the team's wiki or the game-day
 * notes. Text people typed (statements, observations, findings) is escaped so
 * it reads literally; the scenario's own Markdown (the answer) is kept as its
 * author wrote it. Times are on the drill clock, in the one duration format.
 */
import { formatDuration } from '../shared/duration.ts';
import { escapeMarkdown } from '../shared/markdown.ts';
import type { Debrief, Moment } from './debrief.ts';

const at = (m: Moment | null) => (m ? `${m.elapsedMs < 0 ? '−' : '+'}${formatDuration(Math.abs(m.elapsedMs))}` : '—');
const cell = (text: string) => escapeMarkdown(text).replace(/\|/g, '\\|');

export function debriefMarkdown(d: Debrief): string {
  const lines: string[] = [];
  lines.push(`# Drill debrief: ${escapeMarkdown(d.scenario.title)}`, '');
  lines.push(
    `${d.incidentRef} · facilitated by ${escapeMarkdown(d.facilitator.displayName)} · started ${d.startedAt.replace('T', ' ').slice(0, 16)} UTC · ` +
      `${formatDuration(d.durationMs)} on the drill clock${d.pausedMs > 0 ? ` (${formatDuration(d.pausedMs)} paused, not counted)` : ''}${d.endedAt ? '' : ' · still running'}`,
    '',
  );
  lines.push('## Key times', '', '| | Drill clock | Note |', '|---|---|---|');
  for (const t of d.times) lines.push(`| ${cell(t.label)} | ${at(t.moment)} | ${t.note ? cell(t.note) : ''} |`);
  lines.push('');

  lines.push('## The answer', '', `**Expected hypothesis:** ${escapeMarkdown(d.scenario.hypothesis)}`, '', d.scenario.answer, '');
  if (d.correctHypothesis) {
    const c = d.correctHypothesis;
    lines.push(
      `The team wrote it ${at(c.appeared)} (“${escapeMarkdown(c.statement)}”${c.matchedBy === 'facilitator' ? ', as judged by the facilitator' : ''}) ` +
        (c.confirmed ? `and confirmed it ${at(c.confirmed)}.` : 'but never confirmed it.'),
      '',
    );
  } else lines.push('The team never wrote the correct hypothesis on the board.', '');

  lines.push('## Paths tried and ruled out', '');
  if (d.ruledOut.length === 0) lines.push('None ruled out.', '');
  for (const h of d.ruledOut) lines.push(`- ${escapeMarkdown(h.statement)}: written ${at(h.written)}${h.writtenBy ? ` by ${escapeMarkdown(h.writtenBy)}` : ''}, ruled out ${at(h.ruledOut)}`);
  if (d.otherHypotheses.length > 0) {
    lines.push('', 'Also on the board:', '');
    for (const h of d.otherHypotheses) lines.push(`- ${escapeMarkdown(h.statement)} (${h.status.replace('_', ' ')}, written ${at(h.written)})`);
  }
  lines.push('');

  lines.push('## Injects', '', '| Inject | Scheduled | Released | Routing |', '|---|---|---|---|');
  for (const i of d.injects) {
    const scheduled = i.scheduledMs === null ? 'by the facilitator' : `+${formatDuration(i.scheduledMs)}`;
    const released = i.released ? `${at(i.released)} (${cell(i.releasedBy ?? '')})` : 'not released';
    lines.push(`| ${i.kind}: ${cell(i.title)} | ${scheduled} | ${released} | ${i.routing ? cell(i.routing) : ''} |`);
  }
  lines.push('');

  lines.push('## Runbook', '');
  const r = d.runbook;
  if (!r.expected) lines.push('The scenario expects no particular runbook.');
  else if (!r.exists) lines.push(`The scenario expects the runbook “${escapeMarkdown(r.expected)}”, which does not exist yet.`);
  else {
    lines.push(`Expected: **${escapeMarkdown(r.title ?? r.expected)}**.`);
    lines.push(r.firstOpened ? `Opened ${at(r.firstOpened)} by ${escapeMarkdown(r.openedBy.join(', '))}.` : 'Nobody opened it during the drill.');
    if (r.markedUsed) lines.push(`Marked used ${at(r.markedUsed)}.`);
  }
  if (r.helped) lines.push(`Did it help? **${r.helped}**${r.note ? `: ${escapeMarkdown(r.note)}` : ''}`);
  lines.push('');

  lines.push('## Facilitator’s observations', '');
  if (d.observations.length === 0) lines.push('None written.');
  for (const o of d.observations) lines.push(`- ${at(o.moment)} ${escapeMarkdown(o.text)}`);
  lines.push('');

  lines.push('## Playbook findings', '');
  if (d.findings.length === 0) lines.push('None yet.');
  else {
    lines.push('| Finding | Owner | Due | Kind | Status |', '|---|---|---|---|---|');
    for (const f of d.findings) lines.push(`| ${cell(f.title)} | ${cell(f.owner?.displayName ?? '—')} | ${f.dueDate ?? '—'} | ${f.kind} | ${f.status.replace('_', ' ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
