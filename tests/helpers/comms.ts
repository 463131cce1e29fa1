import { expect } from 'vitest';
import type { Cast } from './incidents.ts';
import { signUpUser, type TestClient, type TestServer } from './server.ts';

export { connectDoc, eventually } from './collab.ts';

/** The incident cast plus Cami, who will hold the communicator role. */
export async function commsCast(server: TestServer, cast: Cast) {
  const invite = await cast.admin.client.post('/api/admin/invites', {});
  const token = new URL(invite.body.url).searchParams.get('invite')!;
  return signUpUser(server, { invite: token, name: 'Cami' });
}

export type Communicator = Awaited<ReturnType<typeof commsCast>>;

/** Makes `userId` the incident's communicator (as its commander). */
export async function appointCommunicator(commander: TestClient, ref: string, userId: string) {
  const response = await commander.post(`/api/incidents/${ref}/roles`, { role: 'communicator', userId });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

let keys = 0;
export const newKey = () => `key-${process.pid}-${++keys}-${Math.random().toString(36).slice(2, 10)}`;
