/** Stakeholder communications: the shapes shared by drafts, publishing, webhooks and the status page. */
import type { Audience } from '../shared/audiences.ts';
import type { IncidentState } from '../shared/incident-vocabulary.ts';

/** An immutable, published stakeholder update (table `published_updates`). */
export interface PublishedUpdate {
  id: string;
  incidentId: string;
  /** "INC-42" */
  incidentRef: string;
  incidentTitle: string;
  severity: 1 | 2 | 3 | 4;
  /** The incident's state when this was published. */
  incidentState: IncidentState;
  /** The incident is a drill: every webhook payload says so, so no receiver mistakes practice for an outage. */
  drill: boolean;
  audience: Audience;
  /** Placeholders already filled in. */
  bodyMarkdown: string;
  /** Sanitised HTML rendered from bodyMarkdown at publish time. */
  bodyHtml: string;
  authorId: string;
  authorName: string;
  publishedAt: Date;
}
