/**
 * Reading values out of a live document that any client with write access
 * may have filled with anything: a number where text belongs, a string where
 * a map belongs, NUL bytes, half a surrogate pair, a 20,000-deep object. The
 * readers in war-room-doc.ts and postmortem-doc.ts go through these, so a
 * malformed entry is skipped or coerced to something harmless and a reader
 * never throws: replay, postmortem generation and publication keep working
 * whatever was written. Nothing here walks into a value it did not expect, so
 * a deep structure costs nothing. Shared with the browser: no Node imports.
 */
import * as Y from 'yjs';
import type { Person } from './war-room-doc.ts';

/** Text that PostgreSQL can store and a page can show: no NUL, lone surrogates replaced. */
export function cleanText(text: string): string {
  const noNul = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  return noNul.isWellFormed() ? noNul : noNul.toWellFormed();
}

/** Strings as they are (cleaned), numbers and booleans written as text, anything else empty. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return cleanText(value);
  if (value instanceof Y.Text) return cleanText(value.toString());
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

export function textOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = textOf(value);
  return text === '' ? null : text;
}

/** An ISO time, or null when the value is not one (the caller decides whether that skips the entry). */
export function timeOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40 || Number.isNaN(Date.parse(value))) return null;
  return value;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function personOf(value: unknown): Person | null {
  if (value === null || typeof value !== 'object' || value instanceof Y.AbstractType) return null;
  const { id, name } = value as Record<string, unknown>;
  return typeof id === 'string' && id !== '' ? { id: cleanText(id), name: textOf(name) } : null;
}

export const booleanOf = (value: unknown): boolean => value === true;

export const integerOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null);

/** The entries of a map of maps that really are maps (anything else written there is skipped). */
export function mapEntries<T>(map: Y.Map<T>): [string, Y.Map<unknown>][] {
  const entries: [string, Y.Map<unknown>][] = [];
  for (const [key, value] of map.entries()) if (value instanceof Y.Map) entries.push([key, value]);
  return entries;
}

/** A stored map, if what is stored under `key` is one. */
export function mapAt<T>(map: Y.Map<T>, key: string): Y.Map<unknown> | undefined {
  const value = map.get(key);
  return value instanceof Y.Map ? value : undefined;
}
