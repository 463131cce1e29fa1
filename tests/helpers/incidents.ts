import { expect } from 'vitest';
import { withAdmin, type TestClient, type TestServer } from './server.ts';

export interface Person {
  client: TestClient;
  user: { id: string; displayName: string };
}

/**
 * The people of the incident tests: an admin (the first sign-up, so call this
 * on a fresh database), a commander, a responder, an observer and an outsider.
 */
export async function incidentCast(server: TestServer) {
  const { admin, member } = await withAdmin(server);
  const [commander, responder, observer, outsider] = [await member('Cora'), await member('Rey'), await member('Obi'), await member('Otto')];
  return { admin, commander, responder, observer, outsider, anonymous: server.client() };
}

export type Cast = Awaited<ReturnType<typeof incidentCast>>;

/** Declares through the API and returns the incident view. */
export async function declare(person: Person, body: Record<string, unknown> = {}) {
  const response = await person.client.post('/api/incidents', { title: 'Checkout is failing', severity: 2, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.incident as { ref: string; id: string; docId: string; number: number; [key: string]: any };
}

/** A private incident commanded by Cora, with Rey responding and Obi observing. */
export async function privateIncident(cast: Cast, body: Record<string, unknown> = {}) {
  const incident = await declare(cast.commander, { private: true, ...body });
  for (const [person, kind] of [[cast.responder, 'responder'], [cast.observer, 'observer']] as const) {
    const added = await cast.commander.client.post(`/api/incidents/${incident.ref}/participants`, { userId: person.user.id, kind });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
  }
  return incident;
}
