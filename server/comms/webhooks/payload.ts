import type { PublishedUpdate } from '../types.ts';
import { escapeMrkdwn, markdownToMrkdwn } from './mrkdwn.ts';

export const WEBHOOK_FORMATS = ['slack', 'json'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The generic format: every PublishedUpdate field, dates as ISO strings. */
export interface JsonPayload {
  type: 'incident.update.published';
  /** True for the admin's "Send test"; receivers may ignore these. */
  test: boolean;
  /** True when the incident is a drill: practice, not an outage. */
  drill: boolean;
  update: Omit<PublishedUpdate, 'publishedAt'> & { publishedAt: string };
}

/** A Slack incoming-webhook message (also accepted by Mattermost and Rocket.Chat). */
export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
  /** Only on a drill's messages; Slack ignores fields it does not know. */
  drill?: true;
}

type SlackText = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };
type SlackBlock =
  | { type: 'header'; text: SlackText & { type: 'plain_text' } }
  | { type: 'section'; text: SlackText }
  | { type: 'context'; elements: SlackText[] };

// Slack rejects the whole message when a block exceeds its limit.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const TEXT_MAX = 4000;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export function jsonPayload(update: PublishedUpdate, options: { test?: boolean } = {}): JsonPayload {
  return {
    type: 'incident.update.published',
    test: options.test ?? false,
    drill: update.drill,
    update: { ...update, publishedAt: new Date(update.publishedAt).toISOString() },
  };
}

export function slackPayload(update: PublishedUpdate, options: { test?: boolean } = {}): SlackPayload {
  // A drill's message must read as one before anything else, in the notification too.
  const prefix = `${update.drill ? '[DRILL] ' : ''}${options.test ? '[TEST] ' : ''}`;
  const headline = `${prefix}${update.incidentRef} · SEV${update.severity} · ${update.incidentTitle} (${update.incidentState})`;
  const body = markdownToMrkdwn(update.bodyMarkdown.trim()) || '_(no text)_';
  const unix = Math.floor(new Date(update.publishedAt).getTime() / 1000);
  const iso = new Date(update.publishedAt).toISOString();
  return {
    ...(update.drill ? { drill: true as const } : {}),
    // The notification and fallback text; Slack shows blocks when it can.
    text: clip(escapeMrkdwn(`${headline}: ${update.bodyMarkdown.trim().split('\n')[0] ?? ''}`), TEXT_MAX),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(headline, HEADER_MAX), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(body, SECTION_MAX) } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `*${update.audience}* update by ${escapeMrkdwn(update.authorName)} · <!date^${unix}^{date_short_pretty} {time}|${iso}>`,
          },
        ],
      },
    ],
  };
}

export function buildPayload(format: WebhookFormat, update: PublishedUpdate, options: { test?: boolean } = {}): JsonPayload | SlackPayload {
  return format === 'slack' ? slackPayload(update, options) : jsonPayload(update, options);
}
