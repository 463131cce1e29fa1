import { describe, expect, it } from 'vitest';
import { nextTabIndex } from '../../src/lib/components/tabs/tabs.ts';

describe('nextTabIndex (arrow keys in a tab row)', () => {
  it.each([
    ['ArrowRight', 0, 1],
    ['ArrowRight', 3, 0],
    ['ArrowLeft', 0, 3],
    ['ArrowLeft', 2, 1],
    ['Home', 2, 0],
    ['End', 1, 3],
  ])('%s from tab %i of 4 goes to tab %i', (key, from, to) => {
    expect(nextTabIndex(key, from, 4)).toBe(to);
  });

  it('leaves other keys to the page (Enter, Tab, letters)', () => {
    for (const key of ['Enter', 'Tab', 't', 'ArrowDown']) expect(nextTabIndex(key, 1, 4)).toBeNull();
  });

  it('uses up and down in a vertical row', () => {
    expect(nextTabIndex('ArrowDown', 0, 3, 'vertical')).toBe(1);
    expect(nextTabIndex('ArrowUp', 0, 3, 'vertical')).toBe(2);
  });
});
