import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config.ts';

describe('parseConfig', () => {
  it('defaults to port 3000, embedded database in ./data, production, info logs', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', dataDir: './data', nodeEnv: 'production', logLevel: 'info' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.origin).toBeUndefined();
    expect(config.collabUnloadMs).toBe(30_000);
    expect(config.replayIdleMs).toBe(60_000);
    expect(config.postmortemReviewDays).toBe(3);
  });

  it('reads every variable', () => {
    const config = parseConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/warroom',
      DATA_DIR: '/var/lib/warroom',
      ORIGIN: 'https://warroom.example.com',
      NODE_ENV: 'development',
      LOG_LEVEL: 'debug',
      POSTMORTEM_REVIEW_DAYS: '7',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/warroom',
      dataDir: '/var/lib/warroom',
      origin: 'https://warroom.example.com',
      nodeEnv: 'development',
      logLevel: 'debug',
      postmortemReviewDays: 7,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT=abc is not valid: expected a whole number from 0 to 65535$/],
    [{ PORT: '70000' }, /^PORT=70000/],
    [{ PORT: '-1' }, /^PORT=-1/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must start with postgres: or postgresql:/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL is not a valid URL/],
    [{ ORIGIN: 'https://warroom.example.com/app' }, /^ORIGIN=.* must be scheme:\/\/host\[:port\] with no path$/],
    [{ ORIGIN: 'ftp://x' }, /^ORIGIN must start with http: or https:/],
    [{ NODE_ENV: 'prod' }, /^NODE_ENV=prod is not valid: use one of production, development, test$/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL=loud/],
    [{ HOST: 'bad host!' }, /^HOST=bad host! is not a valid host/],
    [{ COLLAB_MAX_MESSAGE_BYTES: '10' }, /^COLLAB_MAX_MESSAGE_BYTES=10/],
    [{ POSTMORTEM_REVIEW_DAYS: '0' }, /^POSTMORTEM_REVIEW_DAYS=0 is not valid: expected a whole number from 1 to 365$/],
    [{ POSTMORTEM_REVIEW_DAYS: '2.5' }, /^POSTMORTEM_REVIEW_DAYS=2.5/],
    [{ TRUSTED_PROXIES: '10.0.0.1, proxy.internal' }, /^TRUSTED_PROXIES: "proxy.internal" is not an IP address or CIDR range/],
    [{ TRUSTED_PROXIES: '10.0.0.0/33' }, /^TRUSTED_PROXIES: "10.0.0.0\/33"/],
  ])('rejects %o with one line naming the variable', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('reads TRUSTED_PROXIES as addresses and CIDR ranges', () => {
    const { trustedProxies } = parseConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.5,::1, fd00::/8' });
    expect(['10.1.2.3', '192.168.1.5', '::1', 'fd00::7'].map((a) => trustedProxies!.includes(a))).toEqual([true, true, true, true]);
    expect(['11.0.0.1', '192.168.1.6', '::2'].map((a) => trustedProxies!.includes(a))).toEqual([false, false, false]);
    expect(parseConfig({}).trustedProxies).toBeNull();
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ PORT: '', DATABASE_URL: '', ORIGIN: '' })).toMatchObject({ port: 3000, databaseUrl: undefined, origin: undefined });
  });
});
