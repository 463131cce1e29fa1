/**
 * Published postmortems for most closed incidents: a PostmortemContent
 * snapshot (sections, timeline, factors with categories, action items), its
 * Markdown exactly as publication renders it, and the action-item rows with a
 * realistic mix of done, in progress and overdue.
 */
import { toMarkdown } from '../postmortem/markdown-export.ts';
import type { ActionItemDraft, ActionKind, ActionStatus, PostmortemContent, PostmortemTimelineEntry } from '../shared/postmortem-doc.ts';
import { TIMELINE_LINES } from './catalog.ts';
import type { DemoIncident } from './incidents.ts';
import type { DemoPerson } from './people.ts';
import type { Random } from './random.ts';
import { DAY, iso, type DemoRows } from './rows.ts';

const PUBLISH_CHANCE: Record<number, number> = { 1: 1, 2: 0.95, 3: 0.7, 4: 0.3 };
const REVIEW_DAYS = 3;
/**
 * How often a kind of problem (a factor category) written up on a service
 * stays fixed for the next 90 days, so the next incident there shows a
 * different gap. Without it every postmortem named two or three of its
 * failure mode's categories every time, and the recurrence rate (same service
 * and category within 90 days) sat at 92–98% whatever the data.
 */
const FIX_HOLDS = 0.8;
const FIX_WINDOW = 90 * DAY;

const person = (p: DemoPerson) => ({ id: p.id, name: p.name });
const day = (ms: number) => iso(ms).slice(0, 10);

function statusFor(r: Random, kind: ActionKind, due: number, now: number): ActionStatus {
  if (due < now) return r.chance(kind === 'immediate' ? 0.88 : 0.6) ? 'done' : r.chance(0.1) ? 'wont_do' : r.chance(0.4) ? 'in_progress' : 'open';
  return r.weighted([['done', 3], ['in_progress', 3], ['open', 4]] as const);
}

export function generatePostmortems(r: Random, ids: Random, incidents: DemoIncident[], people: DemoPerson[], now: number, rows: DemoRows): number {
  let published = 0;
  // `service/category` → when postmortems naming that kind of problem there were published.
  const written = new Map<string, number[]>();
  const recentlyWritten = (services: readonly string[], category: string, at: number) =>
    services.some((s) => {
      // Incidents come oldest first, so publications older than the window never matter again: drop them.
      const times = (written.get(`${s}/${category}`) ?? []).filter((t) => at - t <= FIX_WINDOW);
      written.set(`${s}/${category}`, times);
      return times.some((t) => t < at);
    });
  for (const incident of incidents) {
    if (incident.drill || incident.closedAt === null || incident.resolvedAt === null) continue;
    if (!r.chance(PUBLISH_CHANCE[incident.severity])) continue;
    const { mode } = incident;
    const reviewDue = incident.resolvedAt + REVIEW_DAYS * DAY;
    const publishedAt = incident.closedAt + r.logNormal(2.5, 0.7) * DAY;
    const docId = `postmortem-${incident.id}`;
    rows.documents.push({ id: docId, kind: 'postmortem', created_at: iso(incident.closedAt) });
    const author = incident.commander;
    if (publishedAt >= now) {
      // Still being written: a draft or in review, no version yet.
      const inReview = r.chance(0.4);
      rows.postmortems.push({
        incident_id: incident.id, doc_id: docId, state: inReview ? 'in_review' : 'draft', review_due_at: iso(reviewDue),
        generated_at: iso(incident.closedAt), submitted_at: inReview ? iso(now - DAY / 4) : null, submitted_by: inReview ? author.id : null,
        published_at: null, published_by: null, version: 0, updated_at: iso(incident.closedAt),
      });
      continue;
    }
    published++;
    const created = iso(incident.closedAt);
    const span = incident.resolvedAt - incident.startedAt;
    const timeline: PostmortemTimelineEntry[] = TIMELINE_LINES.map((text, i) => ({
      id: ids.id(12),
      at: iso(incident.startedAt + (span * i) / (TIMELINE_LINES.length - 1)),
      kind: i === 0 ? 'alert' : i === TIMELINE_LINES.length - 2 ? 'resolution' : 'action',
      source: i === 0 ? 'event' : 'scribe',
      text: i === 4 ? `Identified the cause: ${mode.trigger.charAt(0).toLowerCase()}${mode.trigger.slice(1)}` : text,
      author: i === 0 ? null : person(incident.responders[0] ?? author),
      collapsed: false,
    }));
    // One or two of the mode's factors, preferring kinds of problem not written up on these services lately (those were
    // fixed, mostly); when every one was, the fix did not hold and the same kind of problem recurs.
    const fresh = mode.factors.filter(([category]) => !recentlyWritten(incident.services, category, incident.startedAt) || !r.chance(FIX_HOLDS));
    const pool = fresh.length ? fresh : mode.factors;
    const factors = r.sample(pool, r.int(1, Math.min(2, pool.length))).map(([category, description]) => ({
      id: ids.id(12), category, description, hypothesisId: null, createdAt: created,
    }));
    for (const service of incident.services) {
      for (const { category } of factors) written.set(`${service}/${category}`, [...(written.get(`${service}/${category}`) ?? []), publishedAt]);
    }
    const drafts: ActionItemDraft[] = [];
    const addItem = (title: string, kind: ActionKind, problemCategory: string) => {
      const due = publishedAt + (kind === 'immediate' ? r.int(3, 14) : r.int(30, 90)) * DAY;
      drafts.push({
        id: ids.id(12), title, owner: person(r.pick(people)), dueDate: day(due), kind,
        priority: kind === 'immediate' ? r.pick(['p1', 'p2'] as const) : r.pick(['p2', 'p3'] as const),
        status: statusFor(r, kind, due, now), problemCategory, createdAt: created,
      });
    };
    addItem(r.pick(mode.immediate), 'immediate', '');
    for (const [title, category] of r.sample(mode.structural, r.int(incident.severity <= 2 ? 1 : 0, mode.structural.length))) addItem(title, 'structural', category);

    const content: PostmortemContent = {
      incidentId: incident.id,
      generatedAt: created,
      sections: {
        summary: incident.title + '. ' + mode.summary,
        impact: `SEV${incident.severity}. Customer-facing impact lasted ${Math.round(span / 60_000)} minutes on ${incident.services.join(', ')}.`,
        investigation: `Responders checked recent changes and dashboards for ${incident.services[0]}. ${mode.trigger}`,
        resolution: `Resolved ${Math.round(span / 60_000)} minutes after it started, once ${incident.services[0]} had looked normal for an hour.`,
        trigger: mode.trigger,
        escalation: factors.map((f) => f.description).join('. ') + '.',
        detection: mode.detection,
        response: `${author.name} took command and opened the war room.`,
        containment: drafts[0].title + '.',
        recovery: 'Service recovered once the mitigation was in place; we monitored for an hour before resolving.',
        went_well: 'The right people joined quickly and the timeline was kept as we went.',
        lucky: incident.severity <= 2 ? 'It happened outside peak traffic.' : '',
      },
      timeline,
      factors,
      actionItems: drafts,
    };
    const markdown = toMarkdown(content, {
      incident: { number: incident.number, title: incident.title, severity: incident.severity as 1 | 2 | 3 | 4, services: incident.services },
      version: 1,
      publishedAt: new Date(publishedAt),
      publishedBy: { displayName: author.name },
    });
    rows.postmortems.push({
      incident_id: incident.id, doc_id: docId, state: 'published', review_due_at: iso(reviewDue), generated_at: created,
      submitted_at: iso(publishedAt - DAY / 2), submitted_by: author.id, published_at: iso(publishedAt), published_by: author.id,
      version: 1, updated_at: iso(publishedAt),
    });
    rows.postmortemVersions.push({
      incident_id: incident.id, version: 1, snapshot: content, markdown, published_at: iso(publishedAt), published_by: author.id, published_by_name: author.name,
    });
    rows.events.push({ incident_id: incident.id, actor_id: author.id, kind: 'postmortem', data: { action: 'published', version: 1, by: person(author) }, at: iso(publishedAt) });
    for (const item of drafts) {
      const due = Date.parse(`${item.dueDate}T00:00:00Z`);
      const doneAt = item.status === 'done' ? Math.min(publishedAt + r.next() * (due + 10 * DAY - publishedAt), now - DAY / 2) : null;
      rows.actionItems.push({
        id: ids.id(), incident_id: incident.id, source_key: item.id, title: item.title, owner_id: item.owner?.id ?? null,
        due_date: item.dueDate, kind: item.kind, priority: item.priority, problem_category: item.problemCategory, status: item.status,
        done_at: doneAt === null ? null : iso(doneAt), done_by: doneAt === null ? null : item.owner?.id, done_note: '',
        created_at: iso(publishedAt), updated_at: iso(doneAt ?? publishedAt),
      });
    }
  }
  return published;
}
