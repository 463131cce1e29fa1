/**
 * A tabletop scenario as its author writes it: Markdown with front matter.
 * Pure: text in, a typed scenario or every problem (with its line) out.
 *
 *   ---
 *   title: A deploy exhausts the checkout database pool
 *   services: [checkout]
 *   severity: 2
 *   impact_began: 6m              # impact started this long before the drill starts
 *   runbook: checkout-db-pool     # slug of the runbook the team should reach for
 *   hypothesis: The 14:02 deploy exhausted the connection pool
 *   match: [connection pool, too many connections]
 *   ---
 *   # Briefing        shown to the team when the drill starts
 *   # Answer          the cause; only the facilitator sees it until the debrief
 *   # Facilitator notes   (optional) hints for running it; facilitator only
 *   # Injects
 *   ## +0m Alert: CheckoutLatencyHigh
 *   labels: severity=critical, service=checkout
 *   summary: p99 above 2 s
 *   ## +4m Message from Support: Customers cannot pay
 *   ## Graph: Database connections          (no time: the facilitator releases it)
 *   ## +20m Twist: The rollback fails
 *
 * `match` lists phrases: a hypothesis card whose statement contains one of
 * them (any case) is the correct hypothesis in the debrief. The facilitator
 * can also point at the card by hand when the team words it differently.
 */
import type { Severity } from './severity.ts';
import { asList, parseFrontMatter } from './front-matter.ts';

/** Scenario documents are capped like other Markdown fields: a scenario is a few pages, not a book. */
export const MAX_SCENARIO_CHARS = 50_000;
export const MAX_INJECTS = 40;
const MAX_OFFSET_MS = 24 * 3_600_000;

export const INJECT_KINDS = ['alert', 'message', 'graph', 'log', 'twist'] as const;
export type InjectKind = (typeof INJECT_KINDS)[number];

export interface AlertInject {
  labels: Record<string, string>;
  summary: string;
  url: string | null;
}

export interface Inject {
  /** Stable within one version of the scenario: "1", "2", … in document order. */
  key: string;
  kind: InjectKind;
  title: string;
  /** Who a message is from ("Support", "the VP of Engineering"); null for other kinds. */
  from: string | null;
  /** Released automatically this long after the drill started (drill clock, pauses excluded); null: by the facilitator. */
  atMs: number | null;
  /** Markdown shown to the team once released. */
  body: string;
  /** Only for alerts: what is sent through alert routing. */
  alert: AlertInject | null;
}

export interface Scenario {
  title: string;
  services: string[];
  severity: Severity;
  /** Impact started this long before the drill began (the incident's start is set back by it). */
  impactBeganMs: number;
  /** Slug of the runbook the team should use; null when none is expected. */
  runbook: string | null;
  /** The hypothesis the team should reach. */
  hypothesis: string;
  /** Phrases that identify it on the board (lowercased). */
  match: string[];
  briefing: string;
  /** The hidden answer: the cause, in Markdown. */
  answer: string;
  facilitatorNotes: string;
  injects: Inject[];
}

export interface ScenarioProblem {
  line: number;
  message: string;
}

export type ScenarioParse = { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] };

const KNOWN_FIELDS = ['title', 'services', 'severity', 'impact_began', 'runbook', 'hypothesis', 'match'] as const;
const SECTIONS = { briefing: 'Briefing', answer: 'Answer', 'facilitator notes': 'Facilitator notes', injects: 'Injects' } as const;
type SectionKey = keyof typeof SECTIONS;

/** "+4m", "90s", "1h30m", "0m" → milliseconds; null when it is not a duration. */
export function parseOffset(text: string): number | null {
  const match = /^\+?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i.exec(text.trim());
  if (!match || (!match[1] && !match[2] && !match[3])) return null;
  return ((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000;
}

/** "severity=critical, service=checkout" → labels; null with the bad part when malformed. */
export function parseLabels(text: string): { ok: true; labels: Record<string, string> } | { ok: false; bad: string } {
  const labels: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z_][\w]*)\s*=\s*(.+)$/.exec(part);
    if (!match) return { ok: false, bad: part };
    labels[match[1]] = match[2].trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return { ok: true, labels };
}

interface Block {
  heading: string;
  line: number;
  lines: string[];
}

/** Splits Markdown at headings of exactly `level` #s, ignoring any inside fenced code. */
function splitAt(lines: readonly string[], firstLine: number, level: number): { before: string[]; blocks: Block[] } {
  const prefix = new RegExp(`^${'#'.repeat(level)}\\s+(.*?)\\s*#*\\s*$`);
  const before: string[] = [];
  const blocks: Block[] = [];
  let fence: string | null = null;
  lines.forEach((line, i) => {
    const fenceMark = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fenceMark) fence = fence === null ? fenceMark : fence === fenceMark ? null : fence;
    const heading = fence === null && !fenceMark ? prefix.exec(line) : null;
    if (heading && !line.startsWith('#'.repeat(level + 1))) blocks.push({ heading: heading[1], line: firstLine + i, lines: [] });
    else if (blocks.length > 0) blocks[blocks.length - 1].lines.push(line);
    else before.push(line);
  });
  return { before, blocks };
}

const trimBlock = (lines: readonly string[]) => lines.join('\n').replace(/^\s*\n/, '').trimEnd();

const HEADING = /^(?:(\+?[\dhms]+)\s+)?([A-Za-z]+)(?:\s+from\s+([^:]+?))?\s*:\s*(.+)$/i;

function parseInject(block: Block, index: number, problems: ScenarioProblem[]): Inject | null {
  const match = HEADING.exec(block.heading);
  const shape = 'an inject heading reads like “## +5m Message from Support: Customers cannot pay” (the time is optional)';
  if (!match) {
    problems.push({ line: block.line, message: shape });
    return null;
  }
  const [, time, kindWord, from, title] = match;
  const kind = kindWord.toLowerCase() as InjectKind;
  if (!INJECT_KINDS.includes(kind)) {
    problems.push({ line: block.line, message: `“${kindWord}” is not a kind of inject: use ${INJECT_KINDS.join(', ')}` });
    return null;
  }
  let atMs: number | null = null;
  if (time !== undefined) {
    atMs = parseOffset(time);
    if (atMs === null || atMs > MAX_OFFSET_MS) {
      problems.push({ line: block.line, message: `“${time}” is not a time after the start: write it like +0m, +90s or +1h15m (at most 24 h)` });
      return null;
    }
  }
  if (kind === 'message' && !from) {
    problems.push({ line: block.line, message: 'a message says who it is from: “## Message from Support: …”' });
    return null;
  }
  if (kind !== 'message' && from) {
    problems.push({ line: block.line, message: `only messages have a sender; write “## ${kindWord}: ${title}”` });
    return null;
  }
  let bodyLines = block.lines;
  let alert: AlertInject | null = null;
  if (kind === 'alert') {
    const fields: Record<string, string> = {};
    let consumed = 0;
    for (const line of block.lines) {
      if (line.trim() === '' && Object.keys(fields).length === 0) {
        consumed++;
        continue;
      }
      const field = /^(labels|summary|url)\s*:\s*(.*)$/i.exec(line.trim());
      if (!field) break;
      fields[field[1].toLowerCase()] = field[2].trim();
      consumed++;
    }
    bodyLines = block.lines.slice(consumed);
    const labels = parseLabels(fields.labels ?? '');
    if (!labels.ok) {
      problems.push({ line: block.line, message: `labels: “${labels.bad}” is not name=value (write labels like “severity=critical, service=checkout”)` });
      return null;
    }
    const url = fields.url ?? '';
    if (url && !/^https?:\/\/\S+$/i.test(url)) {
      problems.push({ line: block.line, message: 'url: must be an http:// or https:// address' });
      return null;
    }
    alert = { labels: { alertname: title.trim(), ...labels.labels }, summary: fields.summary || title.trim(), url: url || null };
  }
  return { key: String(index + 1), kind, title: title.trim().slice(0, 200), from: from?.trim() ?? null, atMs, body: trimBlock(bodyLines), alert };
}

function parseSeverity(value: string): Severity | null {
  const match = /^(?:sev)?\s*([1-4])$/i.exec(value.trim());
  return match ? (Number(match[1]) as Severity) : null;
}

export function parseScenario(text: string): ScenarioParse {
  if (text.length > MAX_SCENARIO_CHARS) return { ok: false, problems: [{ line: 1, message: `the scenario is longer than ${MAX_SCENARIO_CHARS} characters` }] };
  const front = parseFrontMatter(text);
  if (!front.ok) return { ok: false, problems: front.problems };
  const { fields, body, bodyLine } = front.value;
  const problems: ScenarioProblem[] = [];
  for (const [key, { line }] of fields) {
    if (!(KNOWN_FIELDS as readonly string[]).includes(key)) problems.push({ line, message: `${key}: not a scenario field (known: ${KNOWN_FIELDS.join(', ')})` });
  }
  const scalar = (key: string) => {
    const field = fields.get(key);
    return field === undefined ? undefined : Array.isArray(field.value) ? field.value.join(', ') : field.value;
  };
  const lineOf = (key: string) => fields.get(key)?.line ?? 1;

  const title = scalar('title')?.trim() ?? '';
  if (!title) problems.push({ line: lineOf('title'), message: 'title: every scenario needs a title' });
  else if (title.length > 200) problems.push({ line: lineOf('title'), message: 'title: at most 200 characters' });

  const services = [...new Set(asList(fields.get('services')?.value ?? []).map((s) => s.trim().toLowerCase()))];
  if (services.length > 20 || services.some((s) => s.length > 60)) problems.push({ line: lineOf('services'), message: 'services: at most 20, each at most 60 characters' });

  const severityText = scalar('severity');
  const severity = severityText === undefined ? 3 : parseSeverity(severityText);
  if (severity === null) problems.push({ line: lineOf('severity'), message: 'severity: must be 1 to 4 (or SEV1 to SEV4)' });

  const impactText = scalar('impact_began');
  const impactBeganMs = impactText === undefined || impactText === '' ? 0 : parseOffset(impactText);
  if (impactBeganMs === null || impactBeganMs > MAX_OFFSET_MS) problems.push({ line: lineOf('impact_began'), message: 'impact_began: a duration like 6m or 1h10m (at most 24 h)' });

  const runbook = scalar('runbook')?.trim().toLowerCase() || null;
  if (runbook && !/^[a-z0-9-]{1,80}$/.test(runbook)) problems.push({ line: lineOf('runbook'), message: 'runbook: the slug of a runbook, like checkout-db-pool' });

  const hypothesis = scalar('hypothesis')?.trim() ?? '';
  if (!hypothesis) problems.push({ line: lineOf('hypothesis'), message: 'hypothesis: say which hypothesis the team should reach (the debrief times it)' });
  else if (hypothesis.length > 300) problems.push({ line: lineOf('hypothesis'), message: 'hypothesis: at most 300 characters' });
  const listed = asList(fields.get('match')?.value ?? []).map((m) => m.trim().toLowerCase()).filter(Boolean);
  const match = listed.length > 0 ? listed : hypothesis ? [hypothesis.toLowerCase()] : [];

  const { before, blocks } = splitAt(body.split('\n'), bodyLine, 1);
  const strayLine = before.findIndex((line) => line.trim() !== '');
  if (strayLine !== -1) problems.push({ line: bodyLine + strayLine, message: 'text before the first section: start with “# Briefing”' });
  const sections = new Map<SectionKey, Block>();
  for (const block of blocks) {
    const key = block.heading.toLowerCase() as SectionKey;
    if (!(key in SECTIONS)) problems.push({ line: block.line, message: `“# ${block.heading}” is not a section: use ${Object.values(SECTIONS).map((s) => `# ${s}`).join(', ')}` });
    else if (sections.has(key)) problems.push({ line: block.line, message: `“# ${SECTIONS[key]}” appears twice` });
    else sections.set(key, block);
  }
  const briefing = trimBlock(sections.get('briefing')?.lines ?? []);
  if (!briefing) problems.push({ line: sections.get('briefing')?.line ?? bodyLine, message: '# Briefing: what the team is told when the drill starts is missing' });
  const answer = trimBlock(sections.get('answer')?.lines ?? []);
  if (!answer) problems.push({ line: sections.get('answer')?.line ?? bodyLine, message: '# Answer: the cause (only the facilitator sees it) is missing' });
  const facilitatorNotes = trimBlock(sections.get('facilitator notes')?.lines ?? []);

  const injectsBlock = sections.get('injects');
  const injects: Inject[] = [];
  if (!injectsBlock) problems.push({ line: bodyLine, message: '# Injects: a scenario needs at least one inject (an alert, a message, a graph, a log excerpt or a twist)' });
  else {
    const split = splitAt(injectsBlock.lines, injectsBlock.line + 1, 2);
    const stray = split.before.findIndex((line) => line.trim() !== '');
    if (stray !== -1) problems.push({ line: injectsBlock.line + 1 + stray, message: 'each inject starts with a “## ” heading' });
    if (split.blocks.length === 0) problems.push({ line: injectsBlock.line, message: '# Injects: add at least one “## ” inject' });
    if (split.blocks.length > MAX_INJECTS) problems.push({ line: injectsBlock.line, message: `# Injects: at most ${MAX_INJECTS}` });
    split.blocks.forEach((block, i) => {
      const inject = parseInject(block, i, problems);
      if (inject) injects.push(inject);
    });
  }

  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return {
    ok: true,
    scenario: { title, services, severity: severity!, impactBeganMs: impactBeganMs!, runbook, hypothesis, match, briefing, answer, facilitatorNotes, injects },
  };
}

/** Injects due at drill-clock time `elapsedMs` that have not been released, in script order. */
export function dueInjects(injects: readonly Inject[], released: ReadonlySet<string>, elapsedMs: number): Inject[] {
  return injects.filter((inject) => inject.atMs !== null && inject.atMs <= elapsedMs && !released.has(inject.key));
}
