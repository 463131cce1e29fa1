import type { Plugin } from 'vite';

// The public status pages are rendered by Hono too.
const API_PATHS = /^\/(api|healthz|readyz|collab|status)(\/|$|\?)/;

/**
 * `npm run dev`: Vite serves the UI with hot reload and this plugin mounts the
 * same Hono app (and websocket upgrade) into Vite's own server, so one
 * command and one port give the whole product.
 */
export function devApi(): Plugin {
  return {
    name: 'warroom-dev-api',
    apply: 'serve',
    async configureServer(server) {
      const { startDevApi } = await import('./dev-api.ts');
      const api = await startDevApi();
      server.middlewares.use((req, res, next) => {
        if (req.url && API_PATHS.test(req.url)) void api.listener(req, res);
        else next();
      });
      server.httpServer?.on('upgrade', (req, socket, head) => {
        if (req.url?.startsWith('/collab/')) api.onUpgrade(req, socket, head);
      });
      server.httpServer?.on('close', () => void api.close());
    },
  };
}
