/**
 * GET /api/openapi.json and GET /api/docs. Both are open without signing in:
 * they describe routes, never data, and scripts and code generators need the
 * document before anyone has a session (the public status pages and
 * /api/auth/state are open for the same kind of reason).
 */
import { Hono } from 'hono';
import type { RouterRoute } from 'hono/types';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../context.ts';
import { describe } from './describe.ts';
import { buildOpenApiDocument, type OpenApiDocument } from './document.ts';
import { DOCS_CSP, renderDocsPage } from './docs-page.ts';

/** `routes` is read on first request: the app is complete by then, and this router is part of it. */
export function openApiRoutes({ config }: AppDeps, routes: () => readonly RouterRoute[]) {
  let document: OpenApiDocument | null = null;
  let page: string | null = null;
  // Without a configured public URL the server is '/', relative to wherever the document was fetched from.
  const documentFor = () => (document ??= buildOpenApiDocument(routes(), { serverUrl: config.origin ?? '/' }));

  return new Hono<AppEnv>()
    .get(
      '/openapi.json',
      describe({
        tags: ['Reference'],
        scope: 'any',
        summary: 'This OpenAPI 3.1 document',
        responses: { 200: { description: 'The OpenAPI document', schema: z.object({ openapi: z.string() }).loose() } },
      }),
      (c) => c.json(documentFor(), 200, { 'Cache-Control': 'no-cache' }),
    )
    .get(
      '/docs',
      describe({
        tags: ['Reference'],
        scope: 'any',
        summary: 'The API reference as a web page',
        description: 'Self-contained HTML (no scripts, nothing loaded from elsewhere) rendered from the OpenAPI document.',
        responses: { 200: { description: 'The reference page', contentType: 'text/html' } },
      }),
      (c) => {
        page ??= renderDocsPage(documentFor());
        return c.html(page, 200, {
          'Content-Security-Policy': DOCS_CSP,
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'Cache-Control': 'no-cache',
        });
      },
    );
}
