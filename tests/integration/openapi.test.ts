import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { RateLimiter } from '../../server/auth/rate-limit.ts';
import { toOpenApiPath } from '../../server/http/openapi/document.ts';
import { createLogger } from '../../server/log.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, any> }; [key: string]: any };

/** Every operation of the document as "METHOD /path". */
const operationsOf = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));

/** A concrete URL for a documented path: any id will do for the checks below. */
const concrete = (path: string) => path.replace(/\{ref\}/g, 'INC-999999').replace(/\{[^}]+\}/g, 'nosuchthing');

describe.each(backends)('OpenAPI document (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let doc: Doc;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    const response = await server.client().get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    doc = response.body;
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // resolveRefs throws on a $ref that points nowhere.
    expect(() => validator.resolveRefs()).not.toThrow();
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.filter((name) => !(name in doc.components.schemas))).toEqual([]);
  });

  it('documents exactly the /api routes the app serves, in both directions', () => {
    // Built the way tests/helpers/server.ts builds it, so the route table is the served one.
    const config = server.config;
    const app = createApp({ sql: db.sql, config, log: createLogger('silent'), loginLimiter: new RateLimiter({ limit: 10, windowMs: 60_000 }) });
    const served = new Set(
      app.routes
        .filter((r) => r.path.startsWith('/api/') && METHODS.includes(r.method.toLowerCase() as (typeof METHODS)[number]))
        .map((r) => `${r.method} ${toOpenApiPath(r.path)}`),
    );
    const documented = new Set(operationsOf(doc));
    const undocumented = [...served].filter((op) => !documented.has(op)).sort();
    const phantom = [...documented].filter((op) => !served.has(op)).sort();
    expect({ undocumented, phantom }).toEqual({ undocumented: [], phantom: [] });
    expect(served.size).toBeGreaterThan(50);
  });

  it('gives every operation a summary, a tag, security, a success response and the one error shape', () => {
    const errorShape = (doc.components.schemas.ErrorResponse as { properties: { error: unknown } }).properties.error;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const name = `${method.toUpperCase()} ${path}`;
        expect(op.summary, name).toBeTruthy();
        expect(op.tags?.length, name).toBe(1);
        expect(Array.isArray(op.security), name).toBe(true);
        const statuses = Object.keys(op.responses).map(Number);
        expect(statuses.some((s) => s >= 200 && s < 300), name).toBe(true);
        for (const status of statuses.filter((s) => s >= 400)) {
          const schema = op.responses[status].content['application/json'].schema;
          // The one error shape, or that shape extended with more (a 409 that carries the current version).
          if (schema.$ref) expect(schema.$ref, `${name} ${status}`).toBe('#/components/schemas/ErrorResponse');
          else expect({ error: schema.properties?.error, required: schema.required }, `${name} ${status}`).toEqual({ error: errorShape, required: expect.arrayContaining(['error']) });
        }
        if (op.requestBody) expect(statuses, name).toEqual(expect.arrayContaining([400, 415]));
        if (op.security.length > 0) expect(statuses, name).toContain(401);
        // A scope is offered exactly when tokens are accepted, and named once in the bearer requirement.
        const bearer = op.security.find((s: Record<string, string[]>) => 'apiToken' in s);
        expect(bearer?.apiToken ?? [], name).toEqual(op['x-required-scope'] ? [op['x-required-scope']] : []);
      }
    }
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'warroom_session' });
    expect(doc.components.securitySchemes.apiToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('matches what the server enforces: anonymous callers get 401 exactly where the document asks for auth', async () => {
    const wrong: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        // No body: a public route answers 415/400/404 rather than 401, a guarded one refuses before reading it.
        const response = await fetch(server.url + concrete(path), { method: method.toUpperCase(), headers: { origin: server.url } });
        const needsAuth = op.security.length > 0;
        if (needsAuth !== (response.status === 401)) wrong.push(`${method.toUpperCase()} ${path}: documented ${needsAuth ? 'auth' : 'public'}, got ${response.status}`);
        if (response.status >= 400) expect(Object.keys(await response.json()), `${method} ${path}`).toEqual(['error']);
        else await response.body?.cancel();
      }
    }
    expect(wrong).toEqual([]);
  });

  it('describes request bodies with the schemas the handlers validate with', () => {
    const declare = doc.paths['/api/incidents'].post.requestBody.content['application/json'].schema;
    expect(declare.required).toEqual(['title', 'severity']);
    expect(declare.properties.title).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(declare.properties.severity).toMatchObject({ type: 'integer', minimum: 1, maximum: 4 });
    const timeline = doc.paths['/api/incidents/{ref}/timeline'].post;
    expect(timeline.requestBody.content['application/json'].schema.properties.kind.enum).toContain('decision');
    expect(timeline['x-required-scope']).toBe('incidents:write');
    const list = doc.paths['/api/incidents'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(list).toEqual(expect.arrayContaining(['query:state', 'query:severity', 'query:q', 'query:limit', 'query:offset']));
  });

  it('serves a self-contained reference page at /api/docs without signing in', async () => {
    const response = await fetch(`${server.url}/api/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    // Nothing loaded from anywhere: no scripts, no external stylesheets or images.
    expect(html).not.toMatch(/<script|<link\b|src="http|href="http/i);
    for (const op of operationsOf(doc)) {
      const [method, path] = op.split(' ');
      expect(html, op).toContain(`<span class="method ${method.toLowerCase()}">${method.toLowerCase()}</span><span class="path">${path}</span>`);
    }
    expect(html).toContain('id="schema-Incident"');
    expect(html).toContain('incidents:write');
  });
});
