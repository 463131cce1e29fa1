import type { HttpBindings } from '@hono/node-server';
import type { Scope } from '../auth/scopes.ts';
import type { Session } from '../auth/sessions.ts';
import type { User } from '../auth/users.ts';
import type { LoginLimiter } from '../auth/rate-limit.ts';
import type { Config } from '../config.ts';
import type { LiveDocuments } from '../incidents/live.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';
import type { ReplayService } from '../replay/service.ts';

export interface AppEnv {
  Bindings: HttpBindings;
  Variables: {
    requestId: string;
    log: Logger;
    user: User | null;
    session: Session | null;
    /** An API token's scopes; null for a browser session (no limit beyond the user's own permissions). */
    scopes: readonly Scope[] | null;
    /** Which kind of API token authenticated the request; null for a browser session. */
    tokenKind: 'personal' | 'service' | null;
    /** Status of a response SvelteKit wrote directly to the socket. */
    pageStatus?: number;
  };
}

/** What routes need from the outside world, passed in once by app.ts. */
export interface AppDeps {
  sql: Sql;
  config: Config;
  log: Logger;
  loginLimiter: LoginLimiter;
  /** The collaboration server's server-side write, for automatic timeline entries; absent → incidents still work, war rooms just are not told. */
  live?: LiveDocuments;
  /** Time travel through war rooms (its worker thread); absent → the app makes its own. */
  replay?: ReplayService;
  /** This process's part in a cluster (REDIS_URL set); absent with one process. */
  cluster?: ClusterStatus;
}

/** What the HTTP layer may ask the cluster: readiness detail and the process list. */
export interface ClusterStatus {
  readiness(): Record<string, unknown>;
  processes(): Promise<unknown[]>;
}
