import { api, type UserView } from './api';

/** Who is signed in, shared by every page. */
class SessionState {
  user = $state<UserView | null>(null);
  needsFirstAdmin = $state(false);
  loaded = $state(false);

  async refresh() {
    const state = await api<{ user: UserView | null; needsFirstAdmin: boolean }>('GET', '/api/auth/state');
    this.user = state.user;
    this.needsFirstAdmin = state.needsFirstAdmin;
    this.loaded = true;
  }
}

export const session = new SessionState();
