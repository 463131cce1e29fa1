import { describe, expect, it } from 'vitest';
import { latestOnly } from '../../src/lib/latest.ts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const settled = () => new Promise((r) => setTimeout(r, 10));

describe('latestOnly', () => {
  it('drops an older answer that arrives after a newer one: the list shows the newest filters', async () => {
    const latest = latestOnly();
    const first = deferred<string>();
    const second = deferred<string>();
    const seen: string[] = [];
    latest(first.promise).then((v) => seen.push(v));
    latest(second.promise).then((v) => seen.push(v));
    second.resolve('severity=1');
    await settled();
    first.resolve('all severities');
    await settled();
    expect(seen).toEqual(['severity=1']);
  });

  it('drops an older failure once a newer answer landed', async () => {
    const latest = latestOnly();
    const first = deferred<string>();
    const second = deferred<string>();
    const seen: string[] = [];
    latest(first.promise).catch((e: Error) => seen.push(e.message));
    latest(second.promise).then((v) => seen.push(v));
    second.resolve('fresh');
    await settled();
    first.reject(new Error('old: 502'));
    await settled();
    expect(seen).toEqual(['fresh']);
  });

  it('shows answers in order when they arrive in order, however many requests are still out (a slow server is not starved)', async () => {
    const latest = latestOnly();
    const requests = [deferred<number>(), deferred<number>(), deferred<number>()];
    const seen: number[] = [];
    for (const r of requests) latest(r.promise).then((v) => seen.push(v));
    requests[0].resolve(1);
    await settled();
    requests[1].resolve(2);
    await settled();
    expect(seen).toEqual([1, 2]);
  });
});
