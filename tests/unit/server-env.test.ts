import { describe, expect, it } from 'vitest';
import { ALLOCATOR_SETTINGS, serverEnvironment } from '../../scripts/server-env.js';

describe('the environment a server process starts with', () => {
  it('adds the allocator settings that give large freed blocks back', () => {
    const env = serverEnvironment({ PORT: '3000' });
    expect(env).toEqual({ PORT: '3000', MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(ALLOCATOR_SETTINGS).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
  });

  it("keeps a deployment's own value", () => {
    expect(serverEnvironment({ MALLOC_MMAP_THRESHOLD_: '65536' }).MALLOC_MMAP_THRESHOLD_).toBe('65536');
  });

  it('leaves the given environment unchanged', () => {
    const given = { PORT: '3000' };
    serverEnvironment(given);
    expect(given).toEqual({ PORT: '3000' });
  });
});
