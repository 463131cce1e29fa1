import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config.ts';

describe('cluster mode configuration', () => {
  it('is off without REDIS_URL', () => {
    expect(parseConfig({ DATABASE_URL: 'postgres://db/warroom' }).redisUrl).toBeUndefined();
  });

  it('is on with REDIS_URL and DATABASE_URL, with a default prefix', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://db/warroom', REDIS_URL: 'redis://cache:6379', NODE_NAME: 'web-1' });
    expect(config).toMatchObject({ redisUrl: 'redis://cache:6379', redisPrefix: 'warroom', nodeName: 'web-1' });
  });

  it('refuses REDIS_URL with embedded PGlite, in one line saying why', () => {
    expect(() => parseConfig({ REDIS_URL: 'redis://cache:6379' })).toThrow(ConfigError);
    expect(() => parseConfig({ REDIS_URL: 'redis://cache:6379' })).toThrow(/REDIS_URL is set but DATABASE_URL is not/);
  });

  it('refuses a REDIS_URL that is not redis:// and a prefix with spaces', () => {
    expect(() => parseConfig({ DATABASE_URL: 'postgres://db/w', REDIS_URL: 'http://cache' })).toThrow(/REDIS_URL must start with redis: or rediss:/);
    expect(() => parseConfig({ DATABASE_URL: 'postgres://db/w', REDIS_URL: 'redis://cache', REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/);
  });
});
