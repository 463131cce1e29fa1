import { describe, expect, it } from 'vitest';
import { checkBlameless, type BlamelessKind } from '../../server/shared/blameless.ts';

const names = ['Priya Raman', 'Sam Okafor', 'alex'];

/** Every finding must underline exactly its phrase: the editor decorates text.slice(start, end). */
function check(text: string, options = { names }) {
  const findings = checkBlameless(text, options);
  for (const f of findings) expect(text.slice(f.start, f.end)).toBe(f.phrase);
  return findings;
}

describe('checkBlameless: flags blame', () => {
  it.each<[string, BlamelessKind, string]>([
    ['Priya forgot to renew the TLS certificate before it expired.', 'blame-verb', 'Priya forgot to'],
    ['At 02:10 the on-call engineer failed to escalate to the database team.', 'blame-verb', 'the on-call engineer failed to'],
    ['Marco simply didn’t bother to read the runbook before restarting.', 'blame-verb', 'Marco simply didn’t bother to'],
    ['The reviewer neglected the migration’s lock timeout.', 'blame-verb', 'The reviewer neglected'],
    ['Reviewers missed the typo in the migration.', 'blame-verb', 'Reviewers missed'],
    ['We forgot to update the runbook after the migration, so the steps were stale.', 'blame-verb', 'We forgot to'],
    ['They had forgotten to drain the node first.', 'blame-verb', 'They had forgotten to'],
    ['The change went out because of a careless config push.', 'judgement', 'careless'],
    ['Frankly, the rollout plan was sloppy.', 'judgement', 'sloppy'],
    ['This was negligent handling of customer data.', 'judgement', 'negligent'],
    ['An incompetent review let the change through.', 'judgement', 'incompetent'],
    ['The ticket says ‘the SRE dropped the ball’.', 'judgement', 'dropped the ball'],
    ["Summary: 'Sam broke prod' is how it was first reported.", 'person-caused', 'Sam broke'],
    ['Root cause: human error during the failover.', 'human-error', 'human error'],
    ['The outage was classified as operator error.', 'human-error', 'operator error'],
    ['Someone fat-fingered the replica count (3 → 30).', 'human-error', 'fat-fingered'],
    ['In hindsight the responder should have known the cache was cold.', 'counterfactual', 'should have known'],
    ['The reviewer should’ve caught the missing index.', 'counterfactual', 'should’ve caught'],
    ['Sam broke checkout with a bad feature flag.', 'person-caused', 'Sam broke'],
    ['Priya Raman caused the outage by running the migration twice.', 'person-caused', 'Priya Raman caused'],
    ['alex took down the EU cluster at 14:02.', 'person-caused', 'alex took down'],
    ['Sam Okafor’s deploy messed up the session cache.', 'person-caused', 'Sam Okafor’s deploy messed up'],
    ['The 30-minute outage was caused by Priya’s change.', 'person-caused', 'caused by Priya’s change'],
  ])('%j', (text, kind, phrase) => {
    const findings = check(text);
    expect(findings.map((f) => [f.kind, f.phrase])).toContainEqual([kind, phrase]);
    const finding = findings.find((f) => f.phrase === phrase)!;
    expect(finding.message).not.toBe('');
    expect(finding.suggestion).not.toBe('');
  });
});

describe('checkBlameless: leaves systemic prose alone', () => {
  it.each([
    'The deploy caused a spike in the error rate.',
    'The error rate climbed to 40% within two minutes.',
    'The alert forgot nothing: it fired on time and paged the right rotation.',
    'Kubernetes failed to schedule the pods because the node pool was full.',
    'The operator failed to reconcile the CRD after the upgrade.',
    'The operator error logs showed a timeout talking to etcd.',
    'The forgotten-password reset feature was unaffected.',
    'We missed the SLO for the month by 0.02%.',
    'The canary should have caught this, but it only checked HTTP 200s.',
    'This should have been caught by CI; the integration suite skips migrations.',
    'Our monitoring forgot to page anyone because the route was disabled.',
    'Legacy scripts run in sloppy mode, which hid the undefined variable.',
    'The load balancer took down the unhealthy backends as designed.',
    'Nobody forgot anything; the checklist had no step for the certificate.',
    'Cache misses rose to 30% and the batch job missed its window.',
    // A hyphen joins words: compounds are not judgements of a person.
    'We added a human-error-proof confirmation and removed the --careless-mode flag.',
  ])('%j', (text) => {
    expect(check(text)).toEqual([]);
  });
});

describe('checkBlameless: negation', () => {
  // Decision: a negated judgement is the author rejecting blame, so it is not flagged.
  it.each(['Nobody was careless here.', 'This was not human error.', 'It wasn’t a sloppy change; the diff was reviewed twice.', 'No one was being negligent.'])(
    'does not flag %j',
    (text) => {
      expect(check(text)).toEqual([]);
    },
  );

  it('only looks within the clause', () => {
    const text = 'The engineer did not read the runbook, which was careless.';
    expect(check(text).map((f) => f.phrase)).toEqual(['careless']);
  });
});

describe('checkBlameless: code is not prose', () => {
  it('skips inline code spans', () => {
    expect(check('The log said `operator error: reconcile failed` and `Sam broke` is a test name.')).toEqual([]);
  });

  it('skips double-backtick spans containing backticks', () => {
    expect(check('Grep for ``human error `E42` `` in the logs.')).toEqual([]);
  });

  it('skips fenced blocks and keeps offsets after them', () => {
    const text = 'Timeline:\n```\n12:01 WARN human error count=3\n12:02 alex broke lock\n```\nThen Priya forgot to page.';
    const findings = check(text);
    expect(findings.map((f) => [f.kind, f.phrase])).toEqual([['blame-verb', 'Priya forgot to']]);
    expect(findings[0].start).toBe(text.indexOf('Priya'));
  });

  it('skips ~~~ fences and an unclosed fence to the end, as a renderer would', () => {
    expect(check('~~~\ncareless\n~~~\n')).toEqual([]);
    expect(check('ok\n```\nhuman error while typing')).toEqual([]);
  });

  it('treats an unclosed backtick as literal text', () => {
    expect(check('A stray ` and then human error.').map((f) => f.phrase)).toEqual(['human error']);
  });
});

describe('checkBlameless: names', () => {
  it('matches full and first names, case-insensitively, as whole words', () => {
    const text = 'PRIYA broke the build. Priyanka broke nothing. Sam Okafor caused the page.';
    expect(check(text).map((f) => f.phrase)).toEqual(['PRIYA broke', 'Sam Okafor caused']);
  });

  it('does not treat an unknown name as the subject of "caused" or "broke"', () => {
    expect(check('Jordan broke the build.', { names: [] })).toEqual([]);
  });

  it('still catches an unknown capitalised name with verbs only people do', () => {
    expect(check('Jordan forgot the flag.', { names: [] }).map((f) => f.phrase)).toEqual(['Jordan forgot']);
  });

  it('does not let a rejected match hide the real subject', () => {
    expect(check('Rollback was slow and Emily forgot to page.', { names: [] }).map((f) => f.phrase)).toEqual(['Emily forgot to']);
  });

  it('escapes regex characters in names and ignores blanks', () => {
    const text = 'j.doe (ops) broke staging. jxdoe broke nothing.';
    expect(check(text, { names: ['j.doe (ops)', '', ' '] }).map((f) => f.phrase)).toEqual(['j.doe (ops) broke']);
  });

  it('matches an @mention', () => {
    expect(check('@alex caused the rollback.').map((f) => f.phrase)).toEqual(['alex caused']);
  });
});

describe('checkBlameless: suggestions', () => {
  it('carries the forgotten step into the systemic rephrasing', () => {
    const [finding] = check('Priya forgot to rotate the `deploy-bot` token. Later it expired.');
    expect(finding.suggestion).toBe('The process relied on someone remembering to rotate the `deploy-bot` token; what would make it automatic or checked?');
  });

  it('suggests describing conditions for human error', () => {
    const [finding] = check('human error');
    expect(finding.suggestion).toBe('Describe the conditions that made the mistake easy: what did the tooling or process allow?');
  });
});

describe('checkBlameless: shape', () => {
  it('returns findings in document order with correct offsets', () => {
    const text = 'Sam fat-fingered the command. It was careless. Alex should have known, and human error is not an answer.';
    const findings = check(text);
    expect(findings.map((f) => f.kind)).toEqual(['human-error', 'judgement', 'counterfactual', 'human-error']);
    expect(findings.map((f) => f.start)).toEqual([...findings.map((f) => f.start)].sort((a, b) => a - b));
  });

  it('handles empty text and no options', () => {
    expect(checkBlameless('')).toEqual([]);
    expect(checkBlameless('The team was careless.').map((f) => f.phrase)).toEqual(['careless']);
  });
});
