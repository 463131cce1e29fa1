/**
 * Presence (Yjs awareness) as the server writes it. The server overwrites
 * `user.id`, `user.name` and `user.color` in every client's awareness state
 * from the session, so what others see cannot be forged; the client sets the
 * rest (`user.role`, `editing`). Shared with the browser: no Node imports.
 */
export interface PresenceIdentity {
  id: string;
  name: string;
  color: string;
}

/** The same hue for the same person on every screen and every visit. */
export function presenceColor(userId: string): string {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 70% 45%)`;
}
