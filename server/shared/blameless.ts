/**
 * Blameless check for postmortem prose: finds phrasing that puts the cause on a
 * person ("Priya forgot to…", "careless", "human error", "should have known")
 * and offers a systemic rephrasing. It advises, never blocks: the editor
 * underlines `text.slice(start, end)` and shows the suggestion.
 *
 * Shared by the server and the browser (`$shared/blameless`), so no Node
 * imports. It runs on every keystroke, so it is a handful of linear regex scans
 * over the text; no parsing beyond masking code.
 *
 * Decisions, each covered by a test:
 * - Code is not prose: inline `code spans` and ``` / ~~~ fenced blocks are
 *   skipped (quoted log lines say "operator error" for reasons of their own).
 *   An unclosed fence skips to the end, as a Markdown renderer would show it.
 * - Whole words only, and a hyphen joins words: "forgotten-password flow",
 *   "carelessness-free" style compounds and `--careless` flags are not prose
 *   judgements. "sloppy mode" (JavaScript) is not a judgement either.
 * - Verbs of omission need a person as their subject: "the alert failed to
 *   fire" and "the alert forgot nothing" are system behaviour. A person is a
 *   participant name (options.names, full or first name, case-insensitive), a
 *   pronoun, or a role ("the on-call engineer"). "forgot", "neglected" and
 *   "didn't bother" are things only people do, so for those a capitalised word
 *   ("Marco forgot…") and "they" count too; "failed to" / "missed" are common
 *   system verbs, so they need a known person. "Operator" is not a role: it is
 *   usually a Kubernetes controller. "We" counts: self-blame hides the same
 *   missing guardrail.
 * - Negated judgements are not flagged ("nobody was careless", "this was not
 *   human error"): authors write those to reject blame, and nagging about the
 *   right phrasing teaches people to ignore the check. Negation means not/no/
 *   never/nobody/n't among the four words before, within the same clause.
 * - Counterfactuals about systems are fine ("the canary should have caught
 *   this", passive "should have been caught"); about people they are hindsight.
 * - Overlapping findings of different kinds are all returned (each carries its
 *   own advice); results are ordered by start, then end.
 */

export type BlamelessKind = 'blame-verb' | 'judgement' | 'human-error' | 'counterfactual' | 'person-caused';

export interface BlamelessFinding {
  start: number;
  end: number;
  phrase: string;
  kind: BlamelessKind;
  message: string;
  suggestion: string;
}

export interface BlamelessOptions {
  /** Display names of people who may be written about, e.g. the incident participants. */
  names?: string[];
}

// --- patterns -----------------------------------------------------------------

// A hyphen or digit glued to a word makes it part of that word ("forgotten-password", "--careless").
const WORD_BEFORE = String.raw`(?<![\p{L}\p{N}_-])`;
const WORD_AFTER = String.raw`(?![\p{L}\p{N}_-])`;

const PRONOUNS = String.raw`I|we|you|he|she|someone|somebody|everyone|everybody`;
const ROLE = String.raw`(?:(?:the|an?|our|their|his|her|one|another|that|this)\s+)?(?:(?:on-?call|primary|secondary|new|junior|senior|responding|reviewing|incident)\s+)?(?:engineers?|on-?call(?:ers?)?|developers?|devs?|reviewers?|SREs?|admins?|administrators?|responders?|commanders?|IC|authors?|person|people|humans?|teammates?|team\s+members?|teams?|interns?|contractors?|DBAs?)`;
// Words that may sit between a subject and its verb: "Priya had simply forgotten".
const FILLER = String.raw`(?:\s+(?:had|has|have|just|then|also|again|must\s+have|may\s+have|might\s+have|[\p{L}]+ly))`;
// A capitalised word standing in for an unknown name; checked in code because the i flag folds case.
const CAPITALISED = String.raw`[\p{L}][\p{L}'’]*`;
const NOT_NAMES = new Set(
  'the this that these those it its then and but so also nobody nothing no none everyone everybody there here when after before while if once our their monitoring alerting'.split(' '),
);

const HUMAN_ONLY_VERB = String.raw`forg[eo]t(?:s|ten)?(?:\s+to)?|neglect(?:s|ed)?(?:\s+to)?|(?:didn['’]?t|did\s+not|never|couldn['’]?t\s+be)\s+bother(?:ed)?(?:\s+to)?`;
// "we missed the SLO" reports an outcome, not who is to blame.
const FAIL_VERB = String.raw`fail(?:s|ed)?\s+to|miss(?:es|ed)${WORD_AFTER}(?!\s+(?:(?:the|our|its|their)\s+)?(?:SLOs?|SLAs?|targets?|deadlines?|window|error\s+budget))`;

const HAS_BLAME_VERB = /forg[eo]t|neglect|bother|fail|miss/i;
const HAS_COUNTERFACTUAL = /should|ought/i;

const CAUSED_VERB = String.raw`(?:caused|broke|took\s+down|brought\s+down|knocked\s+over|messed\s+up|screwed\s+up)`;
const CAUSED_BY = String.raw`(?:caused|broken|taken\s+down|brought\s+down|knocked\s+over|messed\s+up|screwed\s+up)\s+by`;
const POSSESSIVE = String.raw`(?:['’]s?\s+[\p{L}-]+)?`;

const JUDGEMENT = new RegExp(
  String.raw`${WORD_BEFORE}(?:careless(?:ly|ness)?|sloppy|sloppi(?:ly|ness)|negligen(?:t|tly|ce)|incompeten(?:t|tly|ce|cy)|reckless(?:ly|ness)?|irresponsibl[ey]|dropped\s+the\s+ball)${WORD_AFTER}(?!\s+mode)`,
  'giu',
);
const HUMAN_ERROR = new RegExp(
  String.raw`${WORD_BEFORE}(?:(?:human|operator|user|pilot)[\s-]+(?:errors?|mistakes?)|fat[\s-]?finger(?:ed|ing|s)?)${WORD_AFTER}(?!\s+(?:rates?|budgets?|logs?|messages?|codes?|counts?|metrics?|handl(?:ing|ers?)))`,
  'giu',
);
const COUNTERFACTUAL = new RegExp(
  String.raw`${WORD_BEFORE}(?<subject>[\p{L}-]+\s+)?(?:should(?:\s+have|['’]ve)|ought\s+to\s+have)\s+(?:known|caught|noticed|realized|realised|spotted)${WORD_AFTER}`,
  'giu',
);
// Subjects of a counterfactual that are systems: "the canary should have caught this".
const SYSTEM_SUBJECTS = new Set(
  'it alert alerts alarm alarms alerting monitor monitors monitoring check checks test tests canary canaries ci pipeline pipelines linter dashboard dashboards tooling validation probe probes healthcheck healthchecks rule rules process review system systems automation deploy rollout guardrail guardrails'.split(
    ' ',
  ),
);

const NEGATION = /(?:^|[^\p{L}])(?:not|no|never|nobody|none|neither|nor|without|hardly)(?![\p{L}])|n['’]t(?![\p{L}])/iu;
const CLAUSE_BREAK = /[.;:!?,()\n\u0000—–]|\bbut\b/giu;

// --- messages -----------------------------------------------------------------

const ADVICE: Record<'forgot' | 'bother' | 'fail' | 'miss' | 'judgement' | 'human-error' | 'fat-finger' | 'counterfactual' | 'person-caused', { message: string; suggestion: string }> = {
  forgot: {
    message: 'Attributes the gap to one person’s memory.',
    suggestion: 'The process relied on someone remembering {rest}; what would make it automatic or checked?',
  },
  bother: {
    message: 'Implies a lack of effort.',
    suggestion: 'Ask why the step felt optional or costly: what made skipping it the path of least resistance?',
  },
  fail: {
    message: 'Frames the outcome as a personal failure.',
    suggestion: 'Describe what made it hard to {rest}: what information, tooling or time was missing?',
  },
  miss: {
    message: 'Frames a missed signal as a personal lapse.',
    suggestion: 'Describe why the signal was easy to miss: was it buried, noisy, or routed to the wrong place?',
  },
  judgement: {
    message: 'Judges the person rather than the situation.',
    suggestion: 'Describe the action and its conditions (time pressure, missing guardrails, unclear docs) instead of judging the person.',
  },
  'human-error': {
    message: '“Human error” ends the inquiry where it should start.',
    suggestion: 'Describe the conditions that made the mistake easy: what did the tooling or process allow?',
  },
  'fat-finger': {
    message: 'Puts a typo on the person rather than the interface.',
    suggestion: 'Describe what the interface allowed: was there a confirmation, a dry run, a diff, or a limit on the input?',
  },
  counterfactual: {
    message: 'Hindsight: what is obvious now was not at the time.',
    suggestion: 'Describe what was known at that moment, and which signals were or were not available.',
  },
  'person-caused': {
    message: 'Names a person as the cause.',
    suggestion: 'Name the change or event instead (“the 14:02 config change caused…”), then ask what let it through.',
  },
};

// --- code masking -------------------------------------------------------------

const FENCE_OPEN = / {0,3}(`{3,}|~{3,})/y;

/**
 * The text with code replaced by NULs (newlines kept), same length, so offsets
 * carry over and no pattern can match into or across code.
 */
function maskCode(text: string): string {
  if (!text.includes('`') && !text.includes('~~~')) return text;
  const fenced = fencedRanges(text);
  const ranges: Array<[number, number]> = [];
  let from = 0;
  for (const [start, end] of [...fenced, [text.length, text.length] as [number, number]]) {
    inlineCodeRanges(text, from, start, ranges);
    if (end > start) ranges.push([start, end]);
    from = end;
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    out += text.slice(at, start) + text.slice(start, end).replace(/[^\n]/g, '\u0000');
    at = end;
  }
  return out + text.slice(at);
}

/** ``` and ~~~ blocks, from the opening line to the end of the closing line (or of the text). */
function fencedRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let fence: string | null = null;
  let fenceStart = 0;
  for (let lineStart = 0; lineStart <= text.length; ) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    FENCE_OPEN.lastIndex = lineStart;
    const open = FENCE_OPEN.exec(text);
    if (fence === null && open) {
      fence = open[1];
      fenceStart = lineStart;
    } else if (fence !== null && open && open[1][0] === fence[0] && open[1].length >= fence.length && text.slice(lineStart, lineEnd).trim() === open[1]) {
      ranges.push([fenceStart, lineEnd]);
      fence = null;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  if (fence !== null) ranges.push([fenceStart, text.length]);
  return ranges;
}

/** Inline spans in text[from, to): a run of n backticks closes at the next run of exactly n, within the paragraph. */
function inlineCodeRanges(text: string, from: number, to: number, ranges: Array<[number, number]>): void {
  const runs = /`+/g;
  const paragraphBreak = /\n[ \t]*\n/g;
  let paragraphEnd = -1;
  runs.lastIndex = from;
  for (let run = runs.exec(text); run && run.index < to; run = runs.exec(text)) {
    if (run.index >= paragraphEnd) {
      paragraphBreak.lastIndex = run.index;
      const found = paragraphBreak.exec(text);
      paragraphEnd = Math.min(found ? found.index : text.length, to);
    }
    const length = run[0].length;
    let close = text.indexOf(run[0], run.index + length);
    while (close !== -1 && close < paragraphEnd && (text[close + length] === '`' || text[close - 1] === '`')) {
      let next = close;
      while (text[next] === '`') next++;
      close = text.indexOf(run[0], next);
    }
    if (close === -1 || close + length > paragraphEnd) continue;
    ranges.push([run.index, close + length]);
    runs.lastIndex = close + length;
  }
}

// --- helpers ------------------------------------------------------------------

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Full names and first names as one alternation, longest first so "Priya Raman" wins over "Priya". */
function namesPattern(names: readonly string[]): string | null {
  const variants = new Set<string>();
  for (const raw of names) {
    const name = raw.trim().replace(/^@/, '');
    if (name.length < 2) continue;
    variants.add(name);
    const first = name.split(/\s+/)[0];
    if (first.length >= 2) variants.add(first);
  }
  if (variants.size === 0) return null;
  return [...variants]
    .sort((a, b) => b.length - a.length)
    .map((v) => v.split(/\s+/).map(escapeRegExp).join(String.raw`\s+`))
    .join('|');
}

interface Patterns {
  blameVerb: RegExp;
  personCaused: RegExp;
  causedBy: RegExp;
}

let cached: { key: string; patterns: Patterns } | null = null;

/** Compiled once per set of names: the editor calls this on every keystroke with the same participants. */
function patternsFor(names: readonly string[]): Patterns {
  const key = names.join('\u0000');
  if (cached?.key === key) return cached.patterns;
  const named = namesPattern(names);
  const nameAlt = named ? `(?<name>${named})|` : '';
  const person = `${nameAlt}(?<role>${ROLE})|(?<pronoun>${PRONOUNS})`;
  const patterns: Patterns = {
    blameVerb: new RegExp(
      String.raw`${WORD_BEFORE}(?:${person}|(?<they>they)|(?<word>${CAPITALISED}))${FILLER}{0,2}\s+(?:(?<human>${HUMAN_ONLY_VERB})|(?<fail>${FAIL_VERB}))${WORD_AFTER}`,
      'giu',
    ),
    personCaused: new RegExp(String.raw`${WORD_BEFORE}(?:${person})${POSSESSIVE}${FILLER}{0,2}\s+${CAUSED_VERB}${WORD_AFTER}`, 'giu'),
    causedBy: new RegExp(String.raw`${WORD_BEFORE}${CAUSED_BY}\s+(?:${nameAlt}(?<role>${ROLE}))${POSSESSIVE}${WORD_AFTER}`, 'giu'),
  };
  cached = { key, patterns };
  return patterns;
}

function isNegated(masked: string, start: number): boolean {
  let before = masked.slice(Math.max(0, start - 80), start);
  let cut = 0;
  for (const m of before.matchAll(CLAUSE_BREAK)) cut = m.index + m[0].length;
  before = before.slice(cut);
  const words = before.trim().split(/\s+/).slice(-4).join(' ');
  return NEGATION.test(words);
}

const SENTENCE_END = /[.;:!?\n]/g;

/** Up to eight words after `at`, to the end of the sentence, taken from the original text so code reads naturally. */
function restOfClause(text: string, masked: string, at: number): string {
  SENTENCE_END.lastIndex = at;
  const stop = SENTENCE_END.exec(masked);
  const clause = text.slice(at, stop ? stop.index : text.length).trim();
  const words = clause.split(/\s+/).filter(Boolean);
  if (words.length === 0) return '';
  return words.length > 8 ? `${words.slice(0, 8).join(' ')} …` : words.join(' ');
}

function fill(template: string, rest: string, fallback: string): string {
  return template.replace('{rest}', rest || fallback);
}

// --- the check ----------------------------------------------------------------

export function checkBlameless(text: string, options: BlamelessOptions = {}): BlamelessFinding[] {
  if (text.length === 0) return [];
  const masked = maskCode(text);
  const patterns = patternsFor(options.names ?? []);
  const findings: BlamelessFinding[] = [];
  const add = (start: number, end: number, kind: BlamelessKind, advice: { message: string; suggestion: string }) => {
    findings.push({ start, end, phrase: text.slice(start, end), kind, ...advice });
  };

  // Scanning for a subject at every word is the expensive part; most text has none of these verbs.
  const blameVerbs = HAS_BLAME_VERB.test(masked) ? scan(patterns.blameVerb, masked, isPersonSubject) : [];
  for (const m of blameVerbs) {
    const g = m.groups ?? {};
    const end = m.index + m[0].length;
    if (g.human !== undefined && /bother/i.test(g.human)) {
      add(m.index, end, 'blame-verb', ADVICE.bother);
    } else if (g.human !== undefined) {
      const rest = restOfClause(text, masked, end);
      const what = /\sto$/i.test(g.human) ? `to ${rest || 'do it'}` : rest;
      add(m.index, end, 'blame-verb', { message: ADVICE.forgot.message, suggestion: fill(ADVICE.forgot.suggestion, what, 'this') });
    } else if (/^fail/i.test(g.fail ?? '')) {
      add(m.index, end, 'blame-verb', { message: ADVICE.fail.message, suggestion: fill(ADVICE.fail.suggestion, restOfClause(text, masked, end), 'succeed') });
    } else {
      add(m.index, end, 'blame-verb', ADVICE.miss);
    }
  }

  for (const m of scan(JUDGEMENT, masked)) {
    if (!isNegated(masked, m.index)) add(m.index, m.index + m[0].length, 'judgement', ADVICE.judgement);
  }

  for (const m of scan(HUMAN_ERROR, masked)) {
    if (isNegated(masked, m.index)) continue;
    add(m.index, m.index + m[0].length, 'human-error', /^fat/i.test(m[0]) ? ADVICE['fat-finger'] : ADVICE['human-error']);
  }

  for (const m of HAS_COUNTERFACTUAL.test(masked) ? scan(COUNTERFACTUAL, masked) : []) {
    const subject = m.groups?.subject;
    if (subject && SYSTEM_SUBJECTS.has(subject.trim().toLowerCase())) continue;
    // The underline starts at "should": the subject is only context.
    const start = m.index + (subject?.length ?? 0);
    add(start, m.index + m[0].length, 'counterfactual', ADVICE.counterfactual);
  }

  for (const m of [...scan(patterns.personCaused, masked), ...scan(patterns.causedBy, masked)]) {
    add(m.index, m.index + m[0].length, 'person-caused', ADVICE['person-caused']);
  }

  return findings.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** "they" and an unknown capitalised word only count as people with verbs only people do. */
function isPersonSubject(m: RegExpExecArray): boolean {
  const g = m.groups ?? {};
  if (g.they !== undefined) return g.human !== undefined;
  if (g.word !== undefined) return g.human !== undefined && /^\p{Lu}/u.test(g.word) && !NOT_NAMES.has(g.word.toLowerCase());
  return true;
}

/**
 * All matches; a rejected match resumes one character later rather than after
 * itself, so "and Emily forgot" (rejected "and" with "Emily" as an -ly filler)
 * still finds "Emily forgot".
 */
function scan(pattern: RegExp, text: string, accept: (m: RegExpExecArray) => boolean = () => true): RegExpExecArray[] {
  pattern.lastIndex = 0;
  const out: RegExpExecArray[] = [];
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (accept(m)) out.push(m);
    else pattern.lastIndex = m.index + 1;
    if (m[0].length === 0) pattern.lastIndex = m.index + 1;
  }
  return out;
}
