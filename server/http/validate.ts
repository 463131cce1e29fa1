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
  const text = await c.req.text();
  // Measured before parsing: JSON.parse and every recursive reader after it would overflow the stack on 20,000 levels.
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw new ApiError(400, 'invalid_json', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  const parsed = parse(schema, body);
  refuseUnknownFields(schema, body);
  return parsed;
}

/**
 * Request bodies are strict: a field the route does not know is refused
 * rather than dropped, so a typo (`resolvedat`) or a field this route cannot
 * change never answers 200 while nothing happened. Objects declared loose
 * (a foreign format such as Alertmanager's) keep their extra fields.
 */
function refuseUnknownFields(schema: z.ZodType, body: unknown): void {
  const path = unknownFieldPath(schema, body, []);
  if (!path) return;
  const field = path.join('.');
  throw new ApiError(400, 'unknown_field', `${field}: is not a field of this request`, { field });
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
}

function unknownFieldPath(schema: z.ZodType, value: unknown, path: (string | number)[]): (string | number)[] | null {
  const def = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return value === undefined || value === null ? null : unknownFieldPath(def.innerType!, value, path);
    case 'pipe':
      return unknownFieldPath(def.in!, value, path);
    case 'array':
      if (!Array.isArray(value)) return null;
      for (const [i, item] of value.entries()) {
        const found = unknownFieldPath(def.element!, item, [...path, i]);
        if (found) return found;
      }
      return null;
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
      const shape = def.shape ?? {};
      for (const [key, inner] of Object.entries(value)) {
        if (!Object.hasOwn(shape, key)) {
          if (def.catchall) continue;
          return [...path, key];
        }
        const found = unknownFieldPath(shape[key], inner, [...path, key]);
        if (found) return found;
      }
      return null;
    }
    default:
      return null;
  }
}

/** No request we accept comes near this; a body that does is an attack or a bug. */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays and objects in JSON text, in one pass (strings skipped). */
export function nestingDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  // PostgreSQL text and jsonb cannot store U+0000 nor half a surrogate pair (not valid UTF-8): refuse them here rather than fail in the database with a 500.
  const bad = pathToBadText(value);
  if (bad) {
    const field = bad.path.join('.') || undefined;
    const message = bad.nul ? 'must not contain a NUL character' : 'must be valid Unicode (it holds half of a surrogate pair)';
    throw new ApiError(400, 'invalid_input', field ? `${field}: ${message}` : message, { field });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.') || undefined;
  throw new ApiError(400, 'invalid_input', field ? `${field}: ${issue.message}` : issue.message, { field });
}

const badText = (text: string) => (text.includes('\u0000') ? { nul: true } : text.isWellFormed() ? null : { nul: false });

/** Where in a parsed request the first string holding U+0000 or a lone surrogate is, or null. Depth is bounded by readJson. */
function pathToBadText(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; nul: boolean } | null {
  if (typeof value === 'string') {
    const bad = badText(value);
    return bad ? { path, ...bad } : null;
  }
  if (value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    const badKey = badText(key);
    if (badKey) return { path: [...path, key], ...badKey };
    const found = pathToBadText(inner, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return null;
}
