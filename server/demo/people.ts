/** The demo organisation's people: ~30 members, the first one admin, all with the same printed password. */
import type { Random } from './random.ts';
import { DEMO_EMAIL_DOMAIN, PEOPLE } from './catalog.ts';
import { DAY, iso, type Rows } from './rows.ts';

export interface DemoPerson {
  id: string;
  name: string;
  email: string;
}

/** "Chloé Martin" → "chloe.martin@demo.warroom.test" */
export function demoEmail(name: string): string {
  const ascii = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  return `${ascii.replace(/[^a-z]+/g, '.').replace(/^\.|\.$/g, '')}@${DEMO_EMAIL_DOMAIN}`;
}

export function generatePeople(ids: Random, passwordHash: string, now: number): { people: DemoPerson[]; rows: Rows } {
  const people = PEOPLE.map((name) => ({ id: ids.id(), name, email: demoEmail(name) }));
  const rows = people.map((p, i) => ({
    id: p.id,
    email: p.email,
    display_name: p.name,
    password_hash: passwordHash,
    role: i === 0 ? 'admin' : 'member',
    created_at: iso(now - 400 * DAY + i * DAY),
  }));
  return { people, rows };
}
