import type { z } from 'zod';
import type { User } from '$shared/api/components';

/** A failed API call, carrying the server's `{error: {code, message, field}}`. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, 'network', 'Cannot reach the Warroom server. Check your connection and try again.');
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error ?? {};
    throw new ApiFailure(response.status, error.code ?? 'unknown', error.message ?? `Request failed (${response.status}).`, error.field);
  }
  return data as T;
}

/** A user as the admin pages see it, read from the API's own schema (type-only). */
export type UserView = z.infer<typeof User>;
