import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode } from '$shared/close-codes';
import { presenceColor, presenceColorLight } from '$shared/presence';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

export interface PresenceUser {
  clientId: number;
  id: string;
  name: string;
  color: string;
  role: string | null;
  /** What this person is editing right now, e.g. "timeline" or "hypothesis:abc". */
  editing: string | null;
  self: boolean;
}

/** Why the server ended the connection for good (4400–4499 stop the provider's reconnects). */
const CLOSE_REASONS: Record<number, string> = {
  [CloseCode.MALFORMED]: 'The server could not read a change from this tab. Reload to continue.',
  [CloseCode.READ_ONLY]: 'You can only watch this war room; your changes were not saved.',
  [CloseCode.ACCESS_REVOKED]: 'You no longer have access to this war room.',
  [CloseCode.SESSION_ENDED]: 'Your session has ended. Log in again to keep editing.',
  [CloseCode.DOCUMENT_FULL]: 'This document has reached its size limit: changes made from now on are not saved. Copy what you need into a new incident or the postmortem.',
  [CloseCode.PRESENCE_TOO_BIG]: 'This tab sent more presence information than allowed. Reload to continue.',
};

/**
 * One live Yjs document in the browser: the Y.Doc, the stock y-websocket
 * provider, and the connection state as runes for the UI. Offline edits stay
 * in the Y.Doc and sync when the socket comes back.
 */
export class CollabDoc {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  status = $state<ConnectionStatus>('connecting');
  synced = $state(false);
  /** Local changes made while not connected, waiting to be sent. */
  pendingChanges = $state(0);
  closedReason = $state<string | null>(null);
  presence = $state<PresenceUser[]>([]);
  readonly #cleanups: (() => void)[] = [];

  constructor(docId: string, me: { id: string; name: string; role?: string | null }) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    // Retry at most 1.5 s apart: after a restart or a database outage, editing resumes within about two seconds.
    this.provider = new WebsocketProvider(`${scheme}://${location.host}/collab`, docId, this.doc, { maxBackoffTime: 1500 });
    // The server replaces `user` in what others see (identity, colours, role); this is how this tab shows itself.
    this.provider.awareness.setLocalStateField('user', { id: me.id, name: me.name, role: me.role ?? null, color: presenceColor(me.id), colorLight: presenceColorLight(me.id) });

    this.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connected') this.status = 'connected';
      else if (this.status !== 'closed') this.status = navigator.onLine ? (status === 'connecting' && !this.synced ? 'connecting' : 'reconnecting') : 'offline';
    });
    this.provider.on('sync', (synced: boolean) => {
      this.synced = synced;
      if (synced) this.pendingChanges = 0;
    });
    this.provider.on('closed', ({ code }: { code: number }) => {
      this.status = 'closed';
      this.closedReason = CLOSE_REASONS[code] ?? `The server closed the connection (${code}). Reload to reconnect.`;
    });

    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin !== this.provider && !(this.status === 'connected' && this.synced)) this.pendingChanges++;
    };
    this.doc.on('update', onUpdate);
    this.#cleanups.push(() => this.doc.off('update', onUpdate));

    const onOnline = () => {
      if (this.status !== 'offline') return;
      // The socket may have survived a short blip; then everything typed was sent.
      if (this.provider.wsconnected) {
        this.status = 'connected';
        if (this.synced) this.pendingChanges = 0;
      } else this.status = 'reconnecting';
    };
    const onOffline = () => {
      if (this.status !== 'closed') this.status = 'offline';
    };
    addEventListener('online', onOnline);
    addEventListener('offline', onOffline);
    this.#cleanups.push(() => removeEventListener('online', onOnline), () => removeEventListener('offline', onOffline));

    const onAwareness = () => this.#readPresence();
    this.provider.awareness.on('change', onAwareness);
    this.#cleanups.push(() => this.provider.awareness.off('change', onAwareness));
    this.#readPresence();
  }

  /** Tells the others what this person is editing (null when nothing). */
  setEditing(what: string | null) {
    this.provider.awareness.setLocalStateField('editing', what);
  }

  setRole(role: string | null) {
    const user = this.provider.awareness.getLocalState()?.user ?? {};
    this.provider.awareness.setLocalStateField('user', { ...user, role });
  }

  #readPresence() {
    const seen = new Map<string, PresenceUser>();
    for (const [clientId, state] of this.provider.awareness.getStates()) {
      const user = state.user as { id?: string; name?: string; color?: string; role?: string | null } | undefined;
      if (!user?.id) continue;
      const self = clientId === this.doc.clientID;
      const entry: PresenceUser = {
        clientId,
        id: user.id,
        name: user.name ?? 'Someone',
        color: user.color ?? presenceColor(user.id),
        role: user.role ?? null,
        editing: (state.editing as string | null) ?? null,
        self,
      };
      // One avatar per person even with several tabs; prefer the tab that is editing.
      const existing = seen.get(user.id);
      if (!existing || (!existing.editing && entry.editing) || self) seen.set(user.id, { ...entry, self: self || !!existing?.self });
    }
    this.presence = [...seen.values()].sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
  }

  destroy() {
    for (const cleanup of this.#cleanups) cleanup();
    this.provider.destroy();
    this.doc.destroy();
  }
}
