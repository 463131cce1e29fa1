import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../server/incidents/events.ts';
import { planStatusPage } from '../../server/status/commands.ts';

const now = new Date('2026-11-23T10:00:00Z');
const earlier = new Date('2026-11-23T09:00:00Z');
const off = { slug: null, publicTitle: null, publicSince: null };
const on = { slug: 'checkout-errors-7k2p', publicTitle: 'Checkout errors', publicSince: earlier };

describe('planning a status page change', () => {
  it('copies the internal title on first publication when no public title is given', () => {
    expect(planStatusPage(off, 'DB primary OOM in eu-1', { public: true }, now)).toEqual({
      next: { publicTitle: 'DB primary OOM in eu-1', publicSince: now },
      change: { kind: 'status_page', public: true, wasPublic: false, publicTitle: 'DB primary OOM in eu-1' },
    });
  });

  it('uses the given public title instead', () => {
    expect(planStatusPage(off, 'DB primary OOM in eu-1', { public: true, publicTitle: 'Checkout errors' }, now).next.publicTitle).toBe('Checkout errors');
  });

  it('keeps the public title when the internal one changes later', () => {
    expect(planStatusPage(on, 'Renamed internally', { public: true }, now)).toEqual({ next: { publicTitle: 'Checkout errors', publicSince: earlier }, change: null });
  });

  it('takes the page down, keeping the title for next time', () => {
    expect(planStatusPage(on, 'x', { public: false }, now)).toEqual({
      next: { publicTitle: 'Checkout errors', publicSince: null },
      change: { kind: 'status_page', public: false, wasPublic: true, publicTitle: 'Checkout errors' },
    });
  });

  it('retitles while public, keeping when it went public', () => {
    expect(planStatusPage(on, 'x', { public: true, publicTitle: 'Payment errors' }, now)).toEqual({
      next: { publicTitle: 'Payment errors', publicSince: earlier },
      change: { kind: 'status_page', public: true, wasPublic: true, publicTitle: 'Payment errors' },
    });
  });

  it('changes nothing when asked for what already is, and does not store the internal title when staying private', () => {
    expect(planStatusPage(off, 'Internal', { public: false }, now)).toEqual({ next: { publicTitle: null, publicSince: null }, change: null });
  });
});

describe('status page event messages', () => {
  const by = { id: 'ana', name: 'Ana' };
  it.each([
    [{ public: true, wasPublic: false, publicTitle: 'Checkout errors' }, 'Ana made the status page public as "Checkout errors"'],
    [{ public: false, wasPublic: true, publicTitle: 'Checkout errors' }, 'Ana took the status page down'],
    [{ public: true, wasPublic: true, publicTitle: 'Payment errors' }, 'Ana changed the public title to "Payment errors"'],
  ])('%j', (change, message) => {
    expect(describeEvent({ kind: 'status_page', ...change, by })).toBe(message);
  });
});
