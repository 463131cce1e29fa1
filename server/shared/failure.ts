/**
 * An expected refusal of a domain command (no such incident, not yours to
 * change, a conflict): returned as a value, like Lucia's `fail(400, …)`,
 * never thrown at the caller, so the same command answers an HTTP request,
 * an alert rule or a test alike. The status is the HTTP status the refusal
 * maps to, chosen where the rule lives so every transport agrees on it.
 *
 * `Extra` carries what a client needs to act on the refusal: the problems to
 * fix before publishing, the version someone else saved first.
 */
export type FailureStatus = 400 | 403 | 404 | 409 | 413 | 422 | 503;

export type Failure<Extra extends object = object> = {
  ok: false;
  status: FailureStatus;
  /** Stable and machine-readable, e.g. not_found, forbidden, incident_closed. */
  code: string;
  /** For a person: what was wrong and, where there is one, what to do instead. */
  message: string;
  /** The input field at fault, when there is one. */
  field?: string;
} & Extra;

export function fail<Status extends FailureStatus>(status: Status, code: string, message: string, field?: string): Failure & { status: Status } {
  return { ok: false, status, code, message, ...(field ? { field } : {}) };
}

/**
 * Thrown inside a command's transaction so anything it already wrote rolls
 * back; the command catches it and returns the failure.
 */
export class Refusal<F extends Failure = Failure> extends Error {
  readonly failure: F;
  constructor(failure: F) {
    super(failure.message);
    this.failure = failure;
  }
}
