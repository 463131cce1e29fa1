/**
 * The public status pages: small, self-contained HTML (inline CSS, no
 * scripts) that reads well on a phone at 2am and in dark mode. Renders only
 * the public view types from repo.ts, so internal fields cannot reach it.
 * Written with hono/html: every value is escaped unless it is already markup
 * (`raw` only for the update bodies, sanitised when they were published).
 */
import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { isOver, publicStateLabel, xmlSafe } from './markup.ts';
import { formatUtcDateTime } from '../shared/utc-format.ts';
import type { PublicIncident, PublicUpdate } from './repo.ts';

const CSS = `
:root { color-scheme: light dark; --bg: #f7f7f8; --surface: #fff; --text: #16181d; --muted: #545b68; --border: #d5d9e0;
  --red: #b91c1c; --amber: #92400e; --blue: #1d4ed8; --green: #15803d; --focus: #2563eb; }
@media (prefers-color-scheme: dark) { :root { --bg: #0f1115; --surface: #171a21; --text: #e8eaee; --muted: #a3acba; --border: #2e3440;
  --red: #f87171; --amber: #fbbf24; --blue: #93c5fd; --green: #4ade80; --focus: #60a5fa; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 17px/1.55 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
a { color: inherit; }
a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--surface); padding: 0.5rem; }
header, main, footer { max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { font-weight: 700; }
header a { text-decoration: none; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0.5rem 0; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.75rem; }
.state { display: inline-block; font-weight: 700; padding: 0.1rem 0.6rem; border: 2px solid currentColor; border-radius: 999px; }
.investigating { color: var(--red); } .identified { color: var(--amber); } .monitoring { color: var(--blue); } .resolved, .closed { color: var(--green); }
.muted { color: var(--muted); }
ol, ul { list-style: none; padding: 0; margin: 0; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: 0.9rem 1.1rem; margin-bottom: 0.9rem; }
.card h2, .card h3 { margin: 0 0 0.4rem; font-size: 1.1rem; }
.body { overflow-wrap: anywhere; }
.body > :first-child { margin-top: 0; } .body > :last-child { margin-bottom: 0; }
.body pre { overflow-x: auto; }
.body img { max-width: 100%; height: auto; }
footer { font-size: 0.9rem; }
`;

/** Content-Security-Policy for these pages: no scripts at all, only our own inline style. */
export const STATUS_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  'img-src https: data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What `html` returns; without async children (none here) it is always the string itself. */
type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

function layout(title: string, content: Markup, head: Markup | null = null): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
${head}<style>${raw(CSS)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a href="/status">Status</a></header>
<main id="main">
${content}
</main>
<footer class="muted">Times are in UTC. This page does not refresh itself: reload for the latest.</footer>
</body>
</html>
`}`;
}

const time = (date: Date) => html`<time datetime="${date.toISOString()}">${formatUtcDateTime(date)}</time>`;
const stateBadge = (incident: { state: PublicIncident['state'] }) => html`<span class="state ${incident.state}">${publicStateLabel(incident.state)}</span>`;

function listItem(incident: PublicIncident): Markup {
  return html`<li class="card">
<h3><a href="/status/${incident.slug}">${xmlSafe(incident.title)}</a></h3>
<p>${stateBadge(incident)} <span class="muted">${incident.lastUpdateAt ? html`Last update ${time(incident.lastUpdateAt)}` : html`Public since ${time(incident.publicSince)}`}</span></p>
</li>`;
}

/** GET /status: every public incident, ongoing first. */
export function renderStatusList(incidents: readonly PublicIncident[]): string {
  const ongoing = incidents.filter((i) => !isOver(i.state));
  const over = incidents.filter((i) => isOver(i.state));
  return layout(
    'Status',
    html`<h1>Status</h1>
${ongoing.length > 0 ? html`<h2>Ongoing incidents</h2>\n<ul>${ongoing.map(listItem)}</ul>` : html`<p class="card">No ongoing incidents.</p>`}
${over.length > 0 ? html`<h2>Resolved incidents</h2>\n<ul>${over.map(listItem)}</ul>` : null}`,
  );
}

function updateItem(update: PublicUpdate): Markup {
  return html`<li class="card" id="update-${update.id}">
<article>
<h3><span class="state ${update.state}">${publicStateLabel(update.state)}</span> ${time(update.publishedAt)}</h3>
<div class="body">${raw(update.bodyHtml)}</div>
</article>
</li>`;
}

/** GET /status/:slug: the public title, the state, and the public updates, newest first. */
export function renderStatusPage(incident: PublicIncident, updates: readonly PublicUpdate[]): string {
  const feed = `/status/${incident.slug}/feed.atom`;
  return layout(
    `${xmlSafe(incident.title)} · Status`,
    html`<h1>${xmlSafe(incident.title)}</h1>
<p>${stateBadge(incident)}${
      isOver(incident.state) && incident.resolvedAt ? html` <span class="muted">Resolved ${time(incident.resolvedAt)}</span>` : null
    }</p>
<h2 id="updates">Updates</h2>
${updates.length > 0 ? html`<ol aria-labelledby="updates">${updates.map(updateItem)}</ol>` : html`<p class="card">We are looking into it. The first update will appear here shortly.</p>`}
<p><a href="${feed}">Subscribe to updates (Atom feed)</a> · <a href="/status">All incidents</a></p>`,
    html`<link rel="alternate" type="application/atom+xml" title="${xmlSafe(incident.title)}" href="${feed}">\n`,
  );
}

/** Unknown and non-public slugs look the same: nothing says whether an incident exists. */
export function renderNotFound(): string {
  return layout(
    'Not found · Status',
    html`<h1>There is no public status page here</h1>
<p>The address may be mistyped, or the page is no longer public.</p>
<p><a href="/status">See all current incidents</a></p>`,
  );
}
