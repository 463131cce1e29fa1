import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlausibleSlug, newPublicSlug, slugWords } from '../../server/status/slug.ts';

describe('public slugs', () => {
  it.each([
    ['Checkout errors', 'checkout-errors'],
    ['Checkout: Errors & Timeouts!', 'checkout-errors-timeouts'],
    ['  Café — Zürich   EU-West ', 'cafe-zurich-eu-west'],
    ['<script>alert(1)</script>', 'script-alert-1-script'],
    ['!!!', 'incident'],
    ['数据库故障', 'incident'],
    ['Payments degraded for customers in the European Union region', 'payments-degraded-for-customers-in-the'],
    ['a'.repeat(60), 'a'.repeat(40)],
  ])('%j → %s', (title, words) => {
    expect(slugWords(title)).toBe(words);
  });

  it('adds a random suffix from the unambiguous alphabet', () => {
    const slugs = new Set(Array.from({ length: 200 }, () => newPublicSlug('Checkout errors')));
    expect(slugs.size).toBeGreaterThan(190);
    for (const slug of slugs) expect(slug).toMatch(/^checkout-errors-[a-km-np-z2-9]{4}$/);
    expect(newPublicSlug('Checkout errors', '7k2p')).toBe('checkout-errors-7k2p');
  });

  it('always produces a short slug the database constraint and the router accept', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), (title) => {
        const slug = newPublicSlug(title);
        expect(isPlausibleSlug(slug), slug).toBe(true);
        expect(slug.length).toBeLessThanOrEqual(45);
      }),
    );
  });

  it('refuses anything else in a URL before asking the database', () => {
    for (const bad of ['', 'Checkout', 'a--b', '-a', 'a-', 'a/b', 'a.b', '%2e%2e', 'x'.repeat(81)]) expect(isPlausibleSlug(bad), bad).toBe(false);
  });
});
