// Runs before `npm start`, `npm run build` and `npm run serve`, on whatever Node
// is first on PATH, so it is plain JavaScript that any Node can run. Without it
// an old Node builds for half a minute and then dies with
// "node: bad option: --experimental-strip-types".
import { pathToFileURL } from 'node:url';

const REQUIRED = [22, 12, 0];

/** A one-line problem with this Node version, or null when it is new enough. */
export function nodeVersionProblem(version) {
  const parts = String(version).replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < REQUIRED.length; i++) {
    if ((parts[i] ?? 0) > REQUIRED[i]) return null;
    if ((parts[i] ?? 0) < REQUIRED[i]) {
      return `warroom needs Node.js ${REQUIRED.join('.')} or newer (found ${version}): install Node 24 LTS from https://nodejs.org or with your version manager (e.g. "nvm install 24").`;
    }
  }
  return null;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
