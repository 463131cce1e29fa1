import { describe, expect, it } from 'vitest';
import { diffLines, diffStats, splitLines } from '../../server/runbooks/diff.ts';

/** The diff as "  same", "- removed", "+ added" lines, easy to read in a failure. */
const render = (before: string, after: string) =>
  diffLines(before, after).map((l) => (l.kind === 'same' ? `  ${l.text}` : l.kind === 'removed' ? `- ${l.text}` : `+ ${l.text}`));

/** Applying the diff to `before` must give `after`, and dropping additions must give `before`. */
function checkRoundTrip(before: string, after: string) {
  const lines = diffLines(before, after);
  expect(lines.filter((l) => l.kind !== 'removed').map((l) => l.text)).toEqual(splitLines(after));
  expect(lines.filter((l) => l.kind !== 'added').map((l) => l.text)).toEqual(splitLines(before));
}

describe('runbook line diff', () => {
  it('shows nothing changed for equal texts, with line numbers on both sides', () => {
    expect(diffLines('a\nb\n', 'a\nb\n')).toEqual([
      { kind: 'same', text: 'a', oldLine: 1, newLine: 1 },
      { kind: 'same', text: 'b', oldLine: 2, newLine: 2 },
    ]);
  });

  it('shows an inserted command between unchanged lines', () => {
    expect(render('## Commands\nkubectl rollout undo\n## Escalation', '## Commands\nkubectl get pods\nkubectl rollout undo\n## Escalation')).toEqual([
      '  ## Commands',
      '+ kubectl get pods',
      '  kubectl rollout undo',
      '  ## Escalation',
    ]);
  });

  it('shows a changed line as removed then added', () => {
    expect(render('a\nb\nc', 'a\nB\nc')).toEqual(['  a', '- b', '+ B', '  c']);
  });

  it('handles empty texts on either side', () => {
    expect(render('', 'x\ny')).toEqual(['+ x', '+ y']);
    expect(render('x\ny', '')).toEqual(['- x', '- y']);
    expect(diffLines('', '')).toEqual([]);
  });

  it('finds the minimal edit on the classic example (ABCABBA → CBABAC, 5 edits)', () => {
    const lines = diffLines('A\nB\nC\nA\nB\nB\nA', 'C\nB\nA\nB\nA\nC');
    expect(diffStats(lines)).toEqual({ added: 2, removed: 3 });
    checkRoundTrip('A\nB\nC\nA\nB\nB\nA', 'C\nB\nA\nB\nA\nC');
  });

  it('treats CRLF and a trailing newline like plain lines', () => {
    expect(render('a\r\nb\r\n', 'a\nb')).toEqual(['  a', '  b']);
  });

  it('round-trips random edits, and numbers lines consecutively', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const before = Array.from({ length: Math.floor(rand() * 30) }, () => 'abcde'[Math.floor(rand() * 5)]);
      const after = before.flatMap((line) => (rand() < 0.2 ? [] : rand() < 0.2 ? [line, 'xyz'[Math.floor(rand() * 3)]] : [line]));
      checkRoundTrip(before.join('\n'), after.join('\n'));
      const lines = diffLines(before.join('\n'), after.join('\n'));
      expect(lines.flatMap((l) => ('oldLine' in l ? [l.oldLine] : []))).toEqual(before.map((_, i) => i + 1));
      expect(lines.flatMap((l) => ('newLine' in l ? [l.newLine] : []))).toEqual(after.map((_, i) => i + 1));
    }
  });

  it('falls back to remove-all/add-all for a huge rewrite instead of exhausting memory', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `old ${i}`).join('\n');
    const after = Array.from({ length: 3000 }, (_, i) => `new ${i}`).join('\n');
    const lines = diffLines(before, after);
    expect(diffStats(lines)).toEqual({ added: 3000, removed: 3000 });
    checkRoundTrip(before, after);
  });
});
