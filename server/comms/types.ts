/** Stakeholder communications: the shapes shared by drafts, publishing, webhooks and the status page. */
export const AUDIENCES = ['responders', 'support', 'leadership', 'public'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** An immutable, published stakeholder update (table `published_updates`). */
export interface PublishedUpdate {
  id: string;
  incidentId: string;
  /** "INC-42" */
  incidentRef: string;
  incidentTitle: string;
  severity: 1 | 2 | 3 | 4;
  /** The incident's state when this was published. */
  incidentState: string;
  audience: Audience;
  /** Placeholders already filled in. */
  bodyMarkdown: string;
  /** Sanitised HTML rendered from bodyMarkdown at publish time. */
  bodyHtml: string;
  authorId: string;
  authorName: string;
  publishedAt: Date;
}
