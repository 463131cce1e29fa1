import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Failure } from '../shared/failure.ts';

export interface ApiErrorOptions {
  /** The input field at fault. */
  field?: string;
  /** More members of `error` that say what was wrong, e.g. `problems` to fix before publishing. */
  details?: Record<string, unknown>;
  /** Members of the body beside `error` that let the client recover, e.g. `current`: the version someone else saved. */
  alongside?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** What went wrong underneath, for the log; never sent. */
  cause?: unknown;
}

/**
 * The one error type routes throw; `app.onError` turns it into
 * `{error: {code, message, field?, …details}, …alongside}` with its status.
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly field?: string;
  readonly details?: Record<string, unknown>;
  readonly alongside?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(status: ContentfulStatusCode, code: string, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.details = options.details;
    this.alongside = options.alongside;
    this.headers = options.headers;
  }

  toJSON() {
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}), ...this.details },
      ...this.alongside,
    };
  }
}

export const notFound = (what = 'Not found.') => new ApiError(404, 'not_found', what);

/** A domain command's expected refusal, as the API answers it. */
export const failed = (failure: Failure, options: Omit<ApiErrorOptions, 'field'> = {}) =>
  new ApiError(failure.status, failure.code, failure.message, { field: failure.field, ...options });

/** The command's success, or its refusal thrown as the API's answer. */
export function successOf<T extends { ok: true }>(result: T | Failure): T {
  if (!result.ok) throw failed(result);
  return result;
}
