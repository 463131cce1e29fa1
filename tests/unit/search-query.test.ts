import { describe, expect, it } from 'vitest';
import { compile } from '../../server/db/sql.ts';
import { anyWordQuery, MAX_TERMS, parseQuery, toTsquery } from '../../server/search/query.ts';
import { segmentsOf, START, STOP } from '../../server/search/snippet.ts';
import { SimilarCache } from '../../server/search/similar-cache.ts';

const compiled = (f: ReturnType<typeof toTsquery>) => (f ? compile(f.strings, f.values) : null);

describe('search query parsing', () => {
  it('takes plain words as required words, lowercased, punctuation splitting them', () => {
    expect(parseQuery('Payment  TIMEOUTS api/v2')).toEqual({ words: ['payment', 'timeouts', 'api', 'v2'], prefixes: [], phrases: [], excluded: [] });
  });

  it('keeps quoted phrases together, and a one-word phrase is just a word', () => {
    expect(parseQuery('"connection pool" exhausted "redis"')).toEqual({
      words: ['exhausted', 'redis'],
      prefixes: [],
      phrases: ['connection pool'],
      excluded: [],
    });
  });

  it('treats an unclosed quote as running to the end, as while still typing', () => {
    expect(parseQuery('db "retry storm').phrases).toEqual(['retry storm']);
  });

  it('reads -word as an exclusion and word* as a prefix', () => {
    expect(parseQuery('checkout -drill time* -')).toEqual({ words: ['checkout'], prefixes: ['time'], phrases: [], excluded: ['drill'] });
  });

  it('never lets tsquery syntax through: operators become separators', () => {
    const parsed = parseQuery("a:* & b | !c <-> 'd' (e)");
    expect([...parsed.words, ...parsed.prefixes]).toEqual(['a', 'b', 'c', 'd', 'e']);
    const sql = compiled(toTsquery(parsed))!;
    // Values are bind parameters built from words only.
    expect(sql.params).toEqual(['a b c d e']);
  });

  it('has no query for empty input, punctuation only, or exclusions only', () => {
    for (const input of ['', '   ', '!!! ---', '-drill']) expect(toTsquery(parseQuery(input)), input).toBeNull();
  });

  it('caps the number of terms so a pasted log line stays a small query', () => {
    const parsed = parseQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    expect(parsed.words).toHaveLength(MAX_TERMS);
  });

  it('builds one tsquery joining words, prefixes, phrases and exclusions', () => {
    const sql = compiled(toTsquery(parseQuery('pool "retry storm" time* -drill')))!;
    expect(sql.text).toBe(
      "(plainto_tsquery('english'::regconfig, $1) && to_tsquery('english'::regconfig, $2) && phraseto_tsquery('english'::regconfig, $3) && !!plainto_tsquery('english'::regconfig, $4))",
    );
    expect(sql.params).toEqual(['pool', 'time:*', 'retry storm', 'drill']);
  });

  it('ORs the distinct words of a text for similar incidents', () => {
    const f = anyWordQuery('Checkout 500s: checkout DB pool a')!;
    expect(compile(f.strings, f.values).params).toEqual(['checkout | 500s | db | pool']);
    expect(anyWordQuery('!!')).toBeNull();
    const weighted = anyWordQuery('pool db', { weights: 'AB' })!;
    expect(compile(weighted.strings, weighted.values).params).toEqual(['pool:AB | db:AB']);
    const bogus = anyWordQuery('pool', { weights: "A' | x" })!;
    expect(compile(bogus.strings, bogus.values).params).toEqual(['pool']);
  });
});

describe('snippet segments', () => {
  it('splits marked text into hit and plain segments', () => {
    expect(segmentsOf(`The ${START}pool${STOP} ran ${START}dry${STOP}`)).toEqual([
      { text: 'The ', hit: false },
      { text: 'pool', hit: true },
      { text: ' ran ', hit: false },
      { text: 'dry', hit: true },
    ]);
  });

  it('keeps markup as text for the page to escape, and drops stray markers', () => {
    expect(segmentsOf(`<img src=x onerror=alert(1)> ${START}x${STOP}${STOP}`)).toEqual([
      { text: '<img src=x onerror=alert(1)> ', hit: false },
      { text: 'x', hit: true },
    ]);
  });

  it('marks the words of a phrase as one hit', () => {
    expect(segmentsOf(`a ${START}retry${STOP} ${START}storm${STOP} b`)).toEqual([
      { text: 'a ', hit: false },
      { text: 'retry storm', hit: true },
      { text: ' b', hit: false },
    ]);
  });

  it('joins lines with a separator so a snippet reads as one line', () => {
    expect(segmentsOf('first line\n second')).toEqual([{ text: 'first line · second', hit: false }]);
  });
});

describe('similar-incidents cache', () => {
  it('serves a fresh entry, forgets it after its time, and evicts the least recently used', async () => {
    let now = 0;
    const cache = new SimilarCache<number>({ max: 2, ttlMs: 1000, now: () => now });
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.getOrLoad('a', load)).toBe(1);
    expect(await cache.getOrLoad('a', load)).toBe(1);
    cache.set('b', 20);
    cache.get('a');
    cache.set('c', 30);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
    expect(await cache.getOrLoad('a', load)).toBe(2);
  });
});
