import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from './errors.ts';

/**
 * Parses a JSON body into a typed value or throws a 4xx saying what was wrong.
 * Requiring application/json also keeps cross-site HTML forms out: a browser
 * cannot send that content type cross-origin without a CORS preflight.
 */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the request body as application/json.');
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  return parse(schema, body);
}

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  // PostgreSQL text and jsonb cannot store U+0000: refuse it here rather than fail in the database with a 500.
  const nul = pathToNul(value);
  if (nul) {
    const field = nul.join('.') || undefined;
    const message = 'must not contain a NUL character';
    throw new ApiError(400, 'invalid_input', field ? `${field}: ${message}` : message, { field });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.') || undefined;
  throw new ApiError(400, 'invalid_input', field ? `${field}: ${issue.message}` : issue.message, { field });
}

/** Where in a parsed request the first string holding U+0000 is, or null. */
function pathToNul(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key];
    const found = pathToNul(inner, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return null;
}
