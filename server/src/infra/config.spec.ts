import { ConfigError, loadConfig } from './config';

const base = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.YSK_BALLOT_TYPES).toEqual([2, 3, 4, 6]);
    expect(c.YSK_PROVINCES).toEqual([]);
    expect(c.MONGO_URL).toBeUndefined();
    expect(c.STALE_AFTER_MINUTES).toBe(20);
    expect(c.ENTRY_CONFIRMATIONS).toBe(2);
  });

  it('reads the recording directory, the box kinds and the abroad pseudo-province', () => {
    expect(loadConfig(base).YSK_RECORD_DIR).toBeUndefined();
    expect(loadConfig(base).YSK_BOX_KINDS).toEqual(['prison', 'customs', 'abroad']);
    const c = loadConfig({ ...base, YSK_RECORD_DIR: '/var/lib/gozcu/ysk', YSK_BOX_KINDS: 'abroad', YSK_PROVINCES: '22,99' });
    expect(c).toMatchObject({ YSK_RECORD_DIR: '/var/lib/gozcu/ysk', YSK_BOX_KINDS: ['abroad'], YSK_PROVINCES: [22, 99] });
    expect(loadConfig({ ...base, YSK_BOX_KINDS: 'none' }).YSK_BOX_KINDS).toEqual([]);
    expect(() => loadConfig({ ...base, YSK_BOX_KINDS: 'embassy' })).toThrow(/YSK_BOX_KINDS/);
    expect(() => loadConfig({ ...base, YSK_PROVINCES: '98' })).toThrow(/YSK_PROVINCES: item 1: each province must be a plate code 1–81, or 99/);
  });

  it('parses lists', () => {
    const c = loadConfig({ ...base, YSK_BALLOT_TYPES: '8, 9', YSK_PROVINCES: '6,34,69' });
    expect(c.YSK_BALLOT_TYPES).toEqual([8, 9]);
    expect(c.YSK_PROVINCES).toEqual([6, 34, 69]);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ MONGO_URL: 'postgres://x' }, 'MONGO_URL'],
    [{ YSK_BALLOT_TYPES: '2,5' }, 'YSK_BALLOT_TYPES'],
    [{ YSK_PROVINCES: '0,82' }, 'YSK_PROVINCES'],
    [{ YSK_MAX_RPS: '-1' }, 'YSK_MAX_RPS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ENTRY_CONFIRMATIONS: '0' }, 'ENTRY_CONFIRMATIONS'],
  ])('rejects %o naming %s', (override, name) => {
    expect(() => loadConfig({ ...base, ...override })).toThrow(ConfigError);
    try {
      loadConfig({ ...base, ...override });
    } catch (e) {
      expect((e as ConfigError).problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('names a missing REDIS_URL', () => {
    expect(() => loadConfig({})).toThrow(/REDIS_URL: is required/);
  });

  it('reads the alert settings: webhook targets as a list, and a webhook needs its signing secret', () => {
    const c = loadConfig({ ...base, ALERT_WEBHOOK_URL: 'https://a.example/h, http://127.0.0.1:9/x', ALERT_WEBHOOK_SECRET: 'sixteen-chars-ok!' });
    expect(c.ALERT_WEBHOOK_URL).toEqual(['https://a.example/h', 'http://127.0.0.1:9/x']);
    expect(c.ALERT_ESCALATE_MINUTES).toBe(10);
    expect(loadConfig(base).ALERT_WEBHOOK_URL).toEqual([]);
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_URL: 'https://a.example/h' })).toThrow(/ALERT_WEBHOOK_SECRET: is required/);
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_URL: 'ftp://a.example/h', ALERT_WEBHOOK_SECRET: 'sixteen-chars-ok!' })).toThrow(
      /ALERT_WEBHOOK_URL: item 1/,
    );
    expect(() => loadConfig({ ...base, SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL/);
  });
});
