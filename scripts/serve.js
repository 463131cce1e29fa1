// `npm run serve`: checks the Node version (plain JavaScript for that reason,
// see check-node.js), then becomes the server with the environment it should
// start with (see server-env.js). Becoming it (execve: same process id, same
// signals, same exit status) rather than starting it as a child keeps what
// process managers and `kill` see the server itself; a Node without execve
// (before 22.15) starts it as a child and passes signals and the exit on.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { nodeVersionProblem } from './check-node.js';
import { SERVER_NODE_FLAGS, serverEnvironment } from './server-env.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  console.error(problem);
  process.exit(1);
}

const args = [...SERVER_NODE_FLAGS, fileURLToPath(new URL('../server/main.ts', import.meta.url))];
const env = serverEnvironment(process.env);

if (typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...args], env);
} else {
  const child = spawn(process.execPath, args, { env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  // As a shell reports a child killed by a signal.
  child.on('exit', (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
}
