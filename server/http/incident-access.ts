/**
 * Every route under /incidents/:ref works on one incident as the caller sees
 * it. This middleware reads the reference once ("INC-42", "inc-42" or "42"),
 * finds the incident and the caller's standing in it, and answers 404 when
 * the incident is missing or private to someone outside it: the same answer
 * both times, so nothing tells an outsider that a private incident exists.
 *
 * Commands still check inside their own transaction (the standing may change
 * between this read and their lock); this is the door, not the only lock.
 */
import type { MiddlewareHandler } from 'hono';
import { findIncidentByNumber } from '../incidents/repo.ts';
import { standingIn, type IncidentStanding } from '../incidents/visibility.ts';
import { currentUser } from './auth-middleware.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { notFound } from './errors.ts';

/** The app's context plus `seen`: the incident the path names and the caller's standing in it. */
export interface IncidentEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { seen: IncidentStanding };
}

const noSuchIncident = () => notFound('No such incident.');

/** "INC-42", "inc-42" or "42" → 42; anything else is simply not found. */
export function parseIncidentRef(ref: string): number {
  const match = /^(?:inc-)?(\d{1,9})$/i.exec(ref);
  if (!match) throw noSuchIncident();
  return Number(match[1]);
}

/** Mounted on `/:ref/*` behind `requireUser`: fills `seen` or answers 404. */
export function resolveIncident({ sql }: AppDeps): MiddlewareHandler<IncidentEnv> {
  return async (c, next) => {
    const number = parseIncidentRef(c.req.param('ref') ?? '');
    const { user } = currentUser(c);
    const seen = await standingIn(sql, { id: user.id, isAdmin: user.role === 'admin' }, await findIncidentByNumber(sql, number));
    if (!seen) throw noSuchIncident();
    c.set('seen', seen);
    await next();
  };
}
