import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { ALLOCATOR_SETTINGS, serverEnvironment, v8PoolSize } from '../../scripts/server-env.js';

describe('the environment a server process starts with', () => {
  it('adds the allocator settings that give large freed blocks back', () => {
    const env = serverEnvironment({ PORT: '3000' }, { cores: 8 });
    expect(env).toEqual({ PORT: '3000', MALLOC_MMAP_THRESHOLD_: '131072', NODE_OPTIONS: '--v8-pool-size=4' });
    expect(ALLOCATOR_SETTINGS).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
  });

  it("keeps a deployment's own value", () => {
    expect(serverEnvironment({ MALLOC_MMAP_THRESHOLD_: '65536' }).MALLOC_MMAP_THRESHOLD_).toBe('65536');
  });

  it("sizes V8's background threads to the cores the server may run on", () => {
    expect([1, 2, 3, 4, 5, 8, 64].map(v8PoolSize)).toEqual([1, 1, 2, 3, 4, 4, 4]);
    expect(serverEnvironment({}, { cores: 1 }).NODE_OPTIONS).toBe('--v8-pool-size=1');
    expect(serverEnvironment({}).NODE_OPTIONS).toBe(`--v8-pool-size=${v8PoolSize(availableParallelism())}`);
    // Other options stay; a pool the deployment sized stays as it is.
    expect(serverEnvironment({ NODE_OPTIONS: '--max-old-space-size=4096' }, { cores: 2 }).NODE_OPTIONS).toBe('--max-old-space-size=4096 --v8-pool-size=1');
    expect(serverEnvironment({ NODE_OPTIONS: '--v8-pool-size=8' }, { cores: 2 }).NODE_OPTIONS).toBe('--v8-pool-size=8');
  });

  it('leaves the given environment unchanged', () => {
    const given = { PORT: '3000' };
    serverEnvironment(given);
    expect(given).toEqual({ PORT: '3000' });
  });
});
