/**
 * The Markdown report: where and when it was measured, then one row per
 * figure with each server's cell and, for each Warroom backend, the ratio
 * Warroom / best anchor (best: the higher for rates, the lower for times and
 * memory; an anchor that lost the document on restart is not a candidate).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import type { Results, Row, Sample } from './results.ts';
import { ROOT, type Target } from './targets.ts';

export interface Machine {
  date: string;
  cores: number;
  cpu: string;
  node: string;
  commit: string;
  loadAtStart: number[];
}

/** The machine, and the commit of the Warroom checkout being measured. */
export function describeMachine(serverRoot = ROOT): Machine {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: serverRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let commit: string;
  try {
    commit = git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain') ? ' with uncommitted changes' : '');
  } catch {
    commit = 'unknown (not a git checkout)';
  }
  if (serverRoot !== ROOT) commit += ` (Warroom server from ${serverRoot})`;
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    commit,
    loadAtStart: loadavg(),
  };
}

export const FOOTNOTES: Record<string, string> = {
  'client-bound': "† the load generator's core was at least 90% busy and the server's was not: the figure is a floor for that server",
  'pace-off': '‡ the achieved pace was more than 2% off the stated rate',
};
const MARKS: Record<string, string> = { 'client-bound': '†', 'pace-off': '‡' };

function formatCell(row: Row, cell: Sample | null): string {
  if (!cell) return '—';
  const marks = (cell.flags ?? []).map((flag) => MARKS[flag] ?? '').join('');
  if (cell.text !== undefined) return cell.text + marks;
  return cell.values.map((value, i) => format(value, row.digits[i] ?? 1)).join(' / ') + marks;
}

function format(value: number, digits: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(row: Row, warroom: Sample | null, anchors: (Sample | null)[]): string {
  if (!warroom || warroom.text !== undefined) return '—';
  const usable = anchors.filter((a): a is Sample => a !== null && a.text === undefined);
  if (usable.length === 0) return '—';
  return warroom.values
    .map((value, i) => {
      const candidates = usable.map((a) => a.values[i]).filter(Number.isFinite);
      if (!candidates.length || !Number.isFinite(value)) return 'n/a';
      const best = row.better === 'higher' ? Math.max(...candidates) : Math.min(...candidates);
      return `${(value / best).toFixed(2)}×`;
    })
    .join(' / ');
}

export function renderReport(options: { machine: Machine; targets: Target[]; results: Results; settings: string[]; elapsedMs: number }): string {
  const { machine, targets, results } = options;
  const warrooms = targets.filter((t) => t.isWarroom);
  const anchors = targets.filter((t) => !t.isWarroom);
  const header = ['figure', ...targets.map((t) => t.label), ...warrooms.map((t) => `${t.label} / best anchor`)];
  const lines = [
    `## Collaboration benchmark, ${machine.date}`,
    '',
    `Machine: ${machine.cores} cores, ${machine.cpu}; Node ${machine.node}; commit ${machine.commit}.`,
    `Load average (1/5/15 min) at start ${machine.loadAtStart.map((l) => l.toFixed(2)).join(' / ')}, at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}; the run took ${(options.elapsedMs / 60_000).toFixed(1)} min.`,
    '',
    `| ${header.join(' | ')} |`,
    `|---|${header
      .slice(1)
      .map(() => '--:')
      .join('|')}|`,
  ];
  for (const row of results.rows) {
    const cells = targets.map((t) => formatCell(row, results.cell(row.key, t.id)));
    const ratios = warrooms.map((w) =>
      ratio(
        row,
        results.cell(row.key, w.id),
        anchors.map((a) => results.cell(row.key, a.id)),
      ),
    );
    lines.push(`| ${[row.title, ...cells, ...ratios].join(' | ')} |`);
  }
  const flags = new Set(results.rows.flatMap((row) => targets.flatMap((t) => results.cell(row.key, t.id)?.flags ?? [])));
  lines.push('');
  for (const flag of flags) if (FOOTNOTES[flag]) lines.push(`${FOOTNOTES[flag]}  `);
  for (const setting of options.settings) lines.push(`- ${setting}`);
  return lines.join('\n');
}
