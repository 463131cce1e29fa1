import { describe, expect, it } from 'vitest';
import { DecisionCache } from '../../server/collab/access-cache.ts';

describe('remembered upgrade decisions', () => {
  it('asks once for many upgrades at once, and again after it is told to forget', async () => {
    const cache = new DecisionCache<string>({ ageMs: 60_000 });
    let asked = 0;
    const decide = async () => `decision ${++asked}`;
    const all = await Promise.all(Array.from({ length: 50 }, () => cache.get('doc alice', decide)));
    expect(new Set(all)).toEqual(new Set(['decision 1']));
    cache.forget((key) => key.startsWith('doc '));
    expect(await cache.get('doc alice', decide)).toBe('decision 2');
  });

  it('does not remember a failure or a refusal: the next upgrade asks again', async () => {
    const cache = new DecisionCache<string | null>({ ageMs: 60_000 });
    await expect(cache.get('k', async () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await cache.get('k', async () => null)).toBeNull();
    expect(await cache.get('k', async () => 'fresh')).toBe('fresh');
    expect([...cache.decisions()]).toEqual([['k', 'fresh']]);
  });

  it('tells a settled decision without waiting, and nothing for one still being made, failed or forgotten', async () => {
    const cache = new DecisionCache<string>({ ageMs: 60_000 });
    let settle!: (value: string) => void;
    const pending = cache.get('k', () => new Promise<string>((resolve) => (settle = resolve)));
    expect(cache.known('k')).toBeUndefined();
    settle('decided');
    await pending;
    expect(cache.known('k')).toBe('decided');
    cache.forget(() => true);
    expect(cache.known('k')).toBeUndefined();
    await expect(cache.get('k', async () => Promise.reject(new Error('database down')))).rejects.toThrow();
    expect(cache.known('k')).toBeUndefined();
    const stale = new DecisionCache<string>({ ageMs: 0 });
    await stale.get('k', async () => 'old');
    expect(stale.known('k')).toBeUndefined();
  });

  it('asks again once a decision is older than its age limit, and keeps at most its capacity', async () => {
    const cache = new DecisionCache<number>({ ageMs: 0, maxEntries: 2 });
    let asked = 0;
    await cache.get('a', async () => ++asked);
    await cache.get('a', async () => ++asked);
    expect(asked).toBe(2);
    await cache.get('b', async () => 0);
    await cache.get('c', async () => 0);
    expect(cache.size).toBe(2);
  });
});
