import type { Actor } from '../auth/actor.ts';
import { currentUser } from './auth-middleware.ts';
import type { AppEnv } from './context.ts';

/** The signed-in caller as the domain's commands take them (behind `requireUser`). */
export function actorOf(c: { var: AppEnv['Variables'] }): Actor {
  const { user } = currentUser(c);
  return { id: user.id, displayName: user.displayName, isAdmin: user.role === 'admin', automated: c.var.tokenKind !== null };
}
