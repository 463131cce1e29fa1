/**
 * A drill command's expected refusal: thrown inside its transaction so
 * anything written rolls back, and turned into an HTTP error at the edge.
 */
import { fail, Refusal } from '../shared/failure.ts';

export const refuse = (status: 400 | 403 | 404 | 409, code: string, message: string, field?: string) => new Refusal(fail(status, code, message, field));

export const notFound = (message: string) => refuse(404, 'not_found', message);
