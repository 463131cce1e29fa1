/** Builds past incidents for the search and similar-incidents suites, through the API like a team would. */
import * as Y from 'yjs';
import { expect } from 'vitest';
import { addActionItem, addFactor, factorsMap, postmortemDocId, type FactorCategory, type SectionKey } from '../../server/shared/postmortem-doc.ts';
import { declare, type Person } from '../helpers/incidents.ts';
import type { TestServer } from '../helpers/server.ts';

export const ok = async (request: Promise<{ status: number; body: any }>) => {
  const response = await request;
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};

export async function resolveAndClose(commander: Person, ref: string) {
  await ok(commander.client.post(`/api/incidents/${ref}/state`, { state: 'resolved' }));
  await ok(commander.client.post(`/api/incidents/${ref}/state`, { state: 'closed' }));
}

export interface PostmortemInput {
  summary: string;
  sections?: Partial<Record<SectionKey, string>>;
  factors?: { category: FactorCategory; description: string; confirmedHypothesis?: boolean }[];
  actionItems?: string[];
}

/** Closes the incident, writes its postmortem draft and publishes it (commander submits and publishes). */
export async function publishPostmortem(server: TestServer, commander: Person, incident: { id: string; ref: string }, input: PostmortemInput) {
  await resolveAndClose(commander, incident.ref);
  const dueDate = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  await server.collab.changeDocument(postmortemDocId(incident.id), null, (doc) => {
    const sections = doc.getMap<Y.Text>('sections');
    for (const [key, text] of Object.entries({ ...input.sections, summary: input.summary })) {
      const section = sections.get(key)!;
      section.delete(0, section.length);
      section.insert(0, text);
    }
    for (const factor of input.factors ?? []) {
      const id = addFactor(doc, factor);
      if (factor.confirmedHypothesis) factorsMap(doc).get(id)!.set('hypothesisId', `h-${id}`);
    }
    for (const title of input.actionItems ?? ['Follow up']) {
      addActionItem(doc, { title, owner: { id: commander.user.id, name: commander.user.displayName }, dueDate, kind: 'structural', priority: 'p2' });
    }
  });
  const base = `/api/incidents/${incident.ref}/postmortem`;
  await ok(commander.client.post(`${base}/submit`));
  await ok(commander.client.post(`${base}/publish`));
}

/** Declares a public incident and returns it. */
export const declareIncident = (person: Person, body: Record<string, unknown>) => declare(person, body);
