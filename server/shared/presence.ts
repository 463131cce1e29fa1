/**
 * Presence (Yjs awareness) as the server writes it. The server rebuilds every
 * client's awareness state: `user` (id, name, colour, role) comes from the
 * session and the incident, never from the client, so what others see cannot
 * be forged; the client only contributes what it is editing and its cursor.
 * Shared with the browser: no Node imports.
 */
export interface PresenceIdentity {
  id: string;
  name: string;
  color: string;
  /** The selection colour in shared editors (y-codemirror.next reads `user.colorLight`). */
  colorLight: string;
  /** The person's role in the incident (commander, scribe, communicator), or null. */
  role: string | null;
}

/** The same hue for the same person on every screen and every visit. */
export function presenceColor(userId: string): string {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 70% 45%)`;
}

/** The translucent variant used to paint someone's selection. */
export const presenceColorLight = (userId: string) => presenceColor(userId).replace(')', ' / 0.3)');
