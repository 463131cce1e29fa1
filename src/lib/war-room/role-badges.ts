/**
 * The short badge under each person in the war room's presence bar. Spelled
 * out rather than cut from the role name: "commander" and "communicator"
 * both began "COM". IC is what responders call the incident commander.
 */
const BADGES: Record<string, string> = {
  commander: 'IC',
  scribe: 'SCR',
  communicator: 'COM',
  responder: 'RSP',
  observer: 'OBS',
};

export const roleBadge = (role: string): string => BADGES[role] ?? role.slice(0, 3).toUpperCase();

export const KNOWN_ROLES = Object.keys(BADGES);
