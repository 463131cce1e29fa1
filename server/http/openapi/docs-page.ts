/**
 * /api/docs: the OpenAPI document as one self-contained HTML page (inline CSS,
 * no scripts, nothing fetched), because Warroom runs on networks that cannot
 * reach a CDN. Rendered from the document itself, so the page can show only
 * what the machine-readable reference says.
 */
import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { OpenApiDocument } from './document.ts';

type Schema = Record<string, any>;
type OperationObject = Schema;
/** What hono/html's template gives back: escaped HTML (a promise only if a value was one, which none here is). */
type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

const CSS = `
:root { color-scheme: light dark; --bg: #f7f7f8; --surface: #fff; --surface-2: #eef0f3; --text: #16181d; --muted: #5a6270;
  --border: #d5d9e0; --focus: #2563eb; --get: #1d4ed8; --post: #15803d; --put: #a16207; --patch: #7c3aed; --delete: #b91c1c;
  --mono: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; }
@media (prefers-color-scheme: dark) { :root { --bg: #0f1115; --surface: #171a21; --surface-2: #1f232c; --text: #e8eaee; --muted: #9aa3b2;
  --border: #2e3440; --focus: #60a5fa; --get: #93c5fd; --post: #4ade80; --put: #facc15; --patch: #c4b5fd; --delete: #f87171; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
a { color: inherit; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--surface); padding: 0.5rem; z-index: 1; }
.layout { display: grid; grid-template-columns: 19rem minmax(0, 1fr); max-width: 80rem; margin: 0 auto; }
nav { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow-y: auto; padding: 1rem; border-right: 1px solid var(--border); font-size: 0.9rem; }
nav ul { list-style: none; padding: 0; margin: 0 0 0.75rem; }
nav li a { display: block; padding: 0.1rem 0.3rem; text-decoration: none; border-radius: 4px; overflow-wrap: anywhere; }
nav li a:hover { background: var(--surface-2); }
nav h2 { font-size: 0.95rem; margin: 0.75rem 0 0.25rem; }
main { padding: 1rem 1.5rem 4rem; min-width: 0; }
@media (max-width: 50rem) { .layout { display: block; } nav { position: static; max-height: none; border-right: 0; border-bottom: 1px solid var(--border); } main { padding: 1rem; } }
h1 { margin: 0.25rem 0 0.5rem; }
h2.tag { margin: 2.5rem 0 0.25rem; padding-top: 0.5rem; border-top: 2px solid var(--border); }
.op { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: 0.9rem 1.1rem; margin: 1rem 0; }
.op h3 { margin: 0 0 0.25rem; font-size: 1.05rem; display: flex; gap: 0.6rem; align-items: baseline; flex-wrap: wrap; }
.op h4 { margin: 0.9rem 0 0.3rem; font-size: 0.95rem; }
code, .path { font-family: var(--mono); font-size: 0.92em; overflow-wrap: anywhere; }
.method { font: 700 0.8rem var(--mono); padding: 0.1rem 0.45rem; border: 2px solid currentColor; border-radius: 4px; text-transform: uppercase; }
.get { color: var(--get); } .post { color: var(--post); } .put { color: var(--put); } .patch { color: var(--patch); } .delete { color: var(--delete); }
.muted { color: var(--muted); }
.auth { font-size: 0.92rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--border); }
th { font-weight: 600; color: var(--muted); }
td:first-child { white-space: nowrap; }
.table-wrap { overflow-x: auto; }
p { margin: 0.35rem 0; }
`;

export const DOCS_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const refName = (ref: string) => ref.replace('#/components/schemas/', '');
const schemaLink = (name: string) => html`<a href="#schema-${name}">${name}</a>`;

/** A short type label: `string`, `Incident`, `array of Participant`, `"a" | "b"`, `integer | null`. */
function typeOf(schema: Schema | undefined): Markup {
  if (!schema || Object.keys(schema).length === 0) return html`any`;
  if (schema.$ref) return schemaLink(refName(schema.$ref));
  if (schema.const !== undefined) return html`<code>${JSON.stringify(schema.const)}</code>`;
  if (schema.enum) return html`${schema.enum.map((v: unknown, i: number) => html`${i ? ' | ' : ''}<code>${JSON.stringify(v)}</code>`)}`;
  const variants: Schema[] | undefined = schema.anyOf ?? schema.oneOf;
  if (variants) return html`${variants.map((v, i) => html`${i ? ' | ' : ''}${typeOf(v)}`)}`;
  if (schema.type === 'object' && schema.properties) {
    const fields = Object.entries(schema.properties as Record<string, Schema>);
    return html`{ ${fields.map(([name, field], i) => html`${i ? ', ' : ''}${name}: ${typeOf(field)}`)} }`;
  }
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  return html`${types.map((type, i) => {
    const label = type === 'array' ? html`array of ${typeOf(schema.items)}` : type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object' ? html`map of ${typeOf(schema.additionalProperties)}` : html`${type}`;
    return html`${i ? ' | ' : ''}${label}`;
  })}`;
}

/** Constraints and defaults in words: "1–200 characters", "matches ^…$", "default 50". */
function rulesOf(schema: Schema): string[] {
  // A nullable field is anyOf [the field, null]: its rules are the field's.
  const variants: Schema[] = (schema.anyOf ?? []).filter((v: Schema) => v.type !== 'null');
  if (variants.length === 1) return rulesOf({ ...variants[0], ...(schema.default !== undefined ? { default: schema.default } : {}) });
  const rules: string[] = [];
  if (schema.format) rules.push(schema.format);
  if (schema.minLength !== undefined || schema.maxLength !== undefined) rules.push(`${schema.minLength ?? 0}–${schema.maxLength ?? '∞'} characters`);
  if (schema.minimum !== undefined || schema.maximum !== undefined) rules.push(`${schema.minimum ?? '−∞'} to ${schema.maximum ?? '∞'}`);
  if (schema.minItems !== undefined || schema.maxItems !== undefined) rules.push(`${schema.minItems ?? 0}–${schema.maxItems ?? '∞'} items`);
  if (schema.pattern && !schema.format) rules.push(`matches ${schema.pattern}`);
  if (schema.default !== undefined) rules.push(`default ${JSON.stringify(schema.default)}`);
  return rules;
}

/** One row per field, nested objects flattened as `parent.child`. */
function fieldRows(schema: Schema, prefix = '', depth = 0): Markup[] {
  const properties: Record<string, Schema> = schema.properties ?? {};
  const required = new Set<string>(schema.required ?? []);
  return Object.entries(properties).flatMap(([name, field]) => {
    const path = prefix + name;
    const nested = field.type === 'object' && field.properties && depth < 3;
    // An array of inline objects gets one row per item field: `alerts[].status`.
    const items = field.type === 'array' && field.items?.type === 'object' && field.items.properties && depth < 3 ? field.items : null;
    const type = nested ? html`object` : items ? html`array of objects` : typeOf(field);
    const row = html`<tr><td><code>${path}</code></td><td>${type}</td><td>${required.has(name) ? 'yes' : 'no'}</td><td>${[field.description, ...rulesOf(field)].filter(Boolean).join('; ')}</td></tr>`;
    if (nested) return [row, ...fieldRows(field, `${path}.`, depth + 1)];
    if (items) return [row, ...fieldRows(items, `${path}[].`, depth + 1)];
    return [row];
  });
}

function schemaBlock(schema: Schema | undefined): Markup {
  if (!schema) return html`<p class="muted">No body.</p>`;
  if (schema.$ref || schema.type !== 'object' || !schema.properties) return html`<p>${typeOf(schema)}</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Notes</th></tr></thead><tbody>${fieldRows(schema)}</tbody></table></div>`;
}

function parametersBlock(parameters: Schema[]): Markup | null {
  if (parameters.length === 0) return null;
  return html`<h4>Parameters</h4><div class="table-wrap"><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Notes</th></tr></thead><tbody>${parameters.map(
    (p) => html`<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${typeOf(p.schema)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${[p.description, ...rulesOf(p.schema ?? {})].filter(Boolean).join('; ')}</td></tr>`,
  )}</tbody></table></div>`;
}

function responsesBlock(responses: Record<string, Schema>): Markup {
  return html`<h4>Responses</h4><div class="table-wrap"><table><thead><tr><th>Status</th><th>Body</th><th>Meaning</th></tr></thead><tbody>${Object.entries(responses).map(([status, response]) => {
    const [type, media] = Object.entries((response.content ?? {}) as Record<string, Schema>)[0] ?? [];
    const body = !type ? html`<span class="muted">empty</span>` : media?.schema ? typeOf(media.schema) : html`<code>${type}</code>`;
    return html`<tr><td><code>${status}</code></td><td>${body}</td><td>${prose(response.description)}</td></tr>`;
  })}</tbody></table></div>`;
}

/** Escaped text with `backtick spans` as code: the only markup the descriptions use. */
function prose(text: string): Markup {
  return html`${text.split('`').map((part, i) => (i % 2 ? html`<code>${part}</code>` : html`${part}`))}`;
}

const anchorOf = (operation: OperationObject) => `op-${operation.operationId}`;

function operationBlock(method: string, path: string, operation: OperationObject): Markup {
  const [text, auth] = splitAuth(operation.description ?? '');
  const body = operation.requestBody?.content?.['application/json']?.schema;
  const bodyBlock = body ? html`<h4>Request body <span class="muted">(application/json)</span></h4>${schemaBlock(body)}` : null;
  return html`<section class="op" id="${anchorOf(operation)}" aria-labelledby="${anchorOf(operation)}-h">
<h3 id="${anchorOf(operation)}-h"><span class="method ${method}">${method}</span><span class="path">${path}</span></h3>
<p><strong>${operation.summary}</strong></p>
${text.map((paragraph) => html`<p>${prose(paragraph)}</p>`)}
<p class="auth"><strong>Auth:</strong> ${prose(auth)}</p>
${parametersBlock(operation.parameters ?? [])}
${bodyBlock}
${responsesBlock(operation.responses ?? {})}
</section>`;
}

/** The generator puts who may call last, as its own paragraph. */
function splitAuth(description: string): [string[], string] {
  const paragraphs = description.split('\n\n').filter(Boolean);
  return [paragraphs.slice(0, -1), paragraphs.at(-1) ?? ''];
}

export function renderDocsPage(document: OpenApiDocument): string {
  const byTag = new Map<string, { method: string; path: string; operation: OperationObject }[]>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, OperationObject>)[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ method, path, operation });
    }
  }
  const tags = document.tags.filter((tag) => byTag.has(tag.name));
  const tagId = (name: string) => `tag-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const schemas = Object.entries(document.components.schemas).sort(([a], [b]) => a.localeCompare(b));

  const toc = html`<nav aria-label="Contents">
<p><strong>Warroom API</strong> <span class="muted">v${document.info.version}</span></p>
<p><a href="/api/openapi.json">openapi.json</a></p>
${tags.map(
  (tag) => html`<h2><a href="#${tagId(tag.name)}">${tag.name}</a></h2><ul>${byTag.get(tag.name)!.map(
    ({ method, path, operation }) => html`<li><a href="#${anchorOf(operation)}"><span class="${method}">${method.toUpperCase()}</span> ${path.replace(/^\/api/, '')}</a></li>`,
  )}</ul>`,
)}
<h2><a href="#schemas">Schemas</a></h2>
</nav>`;

  const content = html`<main id="main">
<h1>${document.info.title}</h1>
<p>${prose(document.info.description)}</p>
<h2>Authentication</h2>
<ul>
${Object.entries(document.components.securitySchemes).map(([name, scheme]) => html`<li><strong>${name}</strong>: ${scheme.description}</li>`)}
</ul>
<p>Errors always have this shape: ${schemaLink('ErrorResponse')}. Statuses listed per operation.</p>
${tags.map(
  (tag) => html`<h2 class="tag" id="${tagId(tag.name)}">${tag.name}</h2><p class="muted">${tag.description}</p>
${byTag.get(tag.name)!.map(({ method, path, operation }) => operationBlock(method, path, operation))}`,
)}
<h2 class="tag" id="schemas">Schemas</h2>
${schemas.map(
  ([name, schema]) => html`<section class="op" id="schema-${name}"><h3>${name}</h3>${(schema as Schema).description ? html`<p>${(schema as Schema).description}</p>` : null}${schemaBlock(schema as Schema)}</section>`,
)}
</main>`;

  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Warroom API reference</title>
<style>${raw(CSS)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<div class="layout">
${toc}
${content}
</div>
</body>
</html>
`}`;
}
