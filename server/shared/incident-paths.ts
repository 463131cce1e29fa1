/**
 * The one spelling of an incident's pages: /incidents/INC-42 and
 * /incidents/INC-42/postmortem. Links are built here, and any other spelling
 * a person may type or paste (/incidents/42, /incidents/inc-42/postmortem) is
 * redirected to it, so a page has one address to share and bookmark.
 * Shared by the server and the browser.
 */

export const incidentRef = (number: number) => `INC-${number}`;
export const incidentPath = (number: number) => `/incidents/${incidentRef(number)}`;
export const postmortemPath = (number: number) => `${incidentPath(number)}/postmortem`;

/**
 * The canonical path for an incident page written another way, or null when
 * `path` is already canonical or is not an incident page.
 */
export function canonicalIncidentPath(path: string): string | null {
  const match = /^\/incidents\/(?:inc-)?(\d{1,9})(\/postmortem)?\/?$/i.exec(path);
  if (!match) return null;
  const canonical = `${incidentPath(Number(match[1]))}${match[2] ? '/postmortem' : ''}`;
  return canonical === path ? null : canonical;
}
