/**
 * @hocuspocus/server with its defaults, in memory, or with its SQLite
 * extension when HOCUSPOCUS_SQLITE names a database file (documents then
 * survive a restart). Prints {"url": …} once listening. SIGTERM runs its own
 * shutdown, which stores every loaded document first.
 */
import { Server, type Extension } from '@hocuspocus/server';

const extensions: Extension[] = [];
const database = process.env.HOCUSPOCUS_SQLITE;
if (database) {
  const { SQLite } = await import('@hocuspocus/extension-sqlite');
  extensions.push(new SQLite({ database }));
}
const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, extensions });
await server.listen();
console.log(JSON.stringify({ url: `ws://127.0.0.1:${server.address.port}`, sqlite: database ?? null }));
