/**
 * The allowed dependency directions of docs/architecture.md, read from the
 * import statements of every module (type-only imports count: they couple
 * the code just the same). A new import that points the wrong way fails here
 * with the file and the line to change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

interface Import {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|svelte)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Imports of project files, as repository paths ($shared is SvelteKit's alias for server/shared). */
function projectImports(dir: string): Import[] {
  const found: Import[] = [];
  for (const from of sourceFiles(dir)) {
    const text = readFileSync(join(ROOT, from), 'utf8');
    for (const match of text.matchAll(/(?:^|[\s;])(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      const spec = match[1] ?? match[2];
      if (spec.startsWith('$shared/')) found.push({ from, to: `server/shared/${spec.slice('$shared/'.length)}` });
      else if (spec.startsWith('.')) found.push({ from, to: normalize(join(dirname(from), spec)) });
    }
  }
  return found;
}

/** server/<area>/… → area; a file directly in server/ is its own area (app.ts, config.ts …). */
const areaOf = (path: string) => (path.startsWith('server/') ? path.split('/')[1] : path.split('/')[0]);

const serverImports = projectImports('server');
const violations = (imports: Import[], allowed: (from: string, to: string) => boolean) =>
  imports.filter(({ from, to }) => to.startsWith('server/') && !allowed(areaOf(from), areaOf(to))).map(({ from, to }) => `${from} → ${to}`);

/** Infrastructure every layer may use: the database, logging, configuration, and shared pure modules. */
const INFRASTRUCTURE = new Set(['db', 'log.ts', 'config.ts', 'trusted-proxies.ts', 'threads', 'shared']);
/** The edges: transports and the modules that wire the application together. */
const EDGES = new Set(['http', 'wiring', 'app.ts', 'main.ts', 'http-server.ts', 'dev']);

describe('module dependencies (docs/architecture.md)', () => {
  it('server/shared imports nothing of the server but itself: the browser bundles it', () => {
    const shared = serverImports.filter(({ from }) => areaOf(from) === 'shared');
    expect(violations(shared, (_, to) => to === 'shared')).toEqual([]);
  });

  it('infrastructure (db, log, config) imports no feature and no transport', () => {
    const infra = serverImports.filter(({ from }) => INFRASTRUCTURE.has(areaOf(from)));
    expect(violations(infra, (_, to) => INFRASTRUCTURE.has(to))).toEqual([]);
  });

  it('the collaboration core imports no feature module: its policy is injected (server/wiring)', () => {
    const collab = serverImports.filter(({ from }) => areaOf(from) === 'collab');
    expect(violations(collab, (_, to) => to === 'collab' || INFRASTRUCTURE.has(to))).toEqual([]);
  });

  it('server/auth is framework-free: no HTTP layer, no Hono, no feature module', () => {
    const auth = serverImports.filter(({ from }) => areaOf(from) === 'auth');
    expect(violations(auth, (_, to) => to === 'auth' || INFRASTRUCTURE.has(to))).toEqual([]);
    const hono = sourceFiles('server/auth').filter((file) => /from ['"]hono/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(hono).toEqual([]);
  });

  it('no feature module imports the HTTP layer or the wiring', () => {
    const features = serverImports.filter(({ from }) => !EDGES.has(areaOf(from)));
    expect(violations(features, (_, to) => !EDGES.has(to))).toEqual([]);
  });

  it('the HTTP layer does not import the wiring, which sits above it', () => {
    const http = serverImports.filter(({ from }) => areaOf(from) === 'http');
    expect(violations(http, (_, to) => to !== 'wiring' && to !== 'app.ts' && to !== 'main.ts')).toEqual([]);
  });

  it('the browser imports only server/shared', () => {
    const browser = projectImports('src').filter(({ to }) => to.startsWith('server/'));
    const outside = browser.filter(({ to }) => !to.startsWith('server/shared/')).map(({ from, to }) => `${from} → ${to}`);
    expect(outside).toEqual([]);
  });

  it('finds imports at all (a broken pattern would pass every rule above)', () => {
    expect(serverImports.length).toBeGreaterThan(500);
    expect(serverImports).toContainEqual({ from: 'server/wiring/document-policy.ts', to: 'server/collab/access.ts' });
  });
});

