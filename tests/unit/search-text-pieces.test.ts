import { describe, expect, it } from 'vitest';
import { textPieces } from '../../server/search/refresh.ts';

describe('a version text cut into pieces for stemming', () => {
  it('keeps every character, in order, each piece within the size', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    const pieces = textPieces(text, 1000);
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBeGreaterThan(text.length / 1000);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(1000);
  });

  it('cuts at whitespace, never inside a word', () => {
    // Spaces, newlines and tabs between words.
    const text = Array.from({ length: 3000 }, (_, i) => `word${i}${[' ', '\n', '\t'][i % 3]}`).join('');
    for (const piece of textPieces(text, 1000).slice(0, -1)) expect(piece).toMatch(/\s$/);
  });

  it('cuts a text with no whitespace at the size, and gives none for an empty text', () => {
    expect(textPieces('x'.repeat(2500), 1000).map((piece) => piece.length)).toEqual([1000, 1000, 500]);
    expect(textPieces('', 1000)).toEqual([]);
  });
});

