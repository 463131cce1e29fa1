/** Creates an embedded database (see pglite-first-start.ts): opened as the server opens it, then closed cleanly. */
import { openPglite } from './pglite-driver.ts';

const database = await openPglite(process.argv[2]);
await database.close();
