import { api } from './api';
import type { PersonRef } from './incidents';

/** Everyone who can be picked as an owner or a role holder; a failure says what did not load, for the page to show. */
export async function fetchDirectory(): Promise<PersonRef[]> {
  try {
    return (await api<{ users: PersonRef[] }>('GET', '/api/users/directory')).users;
  } catch (e) {
    throw new Error(`Could not load the list of people to pick from: ${(e as Error).message}`);
  }
}
