import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has working defaults for a fresh clone', () => {
    const c = loadConfig({});
    expect(c.http).toMatchObject({ port: 3000, host: '0.0.0.0' });
    expect(c.database).toEqual({
      url: 'file:./data/alcance.db',
      provider: 'sqlite',
      statementTimeoutMs: 5000,
      migrateOnStart: true,
    });
    expect(c.rateLimits.apiPerKey).toEqual({ points: 3000, seconds: 60 });
    expect(c.viability).toEqual({ defaultRadiusMeters: 300, maxRadiusMeters: 5000 });
    expect(c.demo.mode).toBe('auto');
    expect(c.logLevel).toBe('info');
  });

  it('runs SGP cycles in their own thread, paced by the database the server uses', () => {
    expect(loadConfig({})).toMatchObject({ syncCycleThread: true, syncCycleRestRatio: 3 });
    const pg = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db' });
    expect(pg).toMatchObject({ syncCycleThread: true, syncCycleRestRatio: 1 });
    const set = loadConfig({ SYNC_CYCLE_THREAD: 'off', SYNC_CYCLE_REST_RATIO: '0.5' });
    expect(set).toMatchObject({ syncCycleThread: false, syncCycleRestRatio: 0.5 });
    expect(() => loadConfig({ SYNC_CYCLE_REST_RATIO: '-1' })).toThrow(ConfigError);
  });

  it('reads PostgreSQL URLs and typed values', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@127.0.0.1/db',
      PORT: '8080',
      DEFAULT_RADIUS_METERS: '450',
    });
    expect(c.database.provider).toBe('postgresql');
    expect(c.http.port).toBe(8080);
    expect(c.viability.defaultRadiusMeters).toBe(450);
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        DEFAULT_RADIUS_METERS: '-1',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'DEFAULT_RADIUS_METERS'])
      expect(problems).toContain(name);
  });

  it('refuses a default radius above the maximum', () => {
    expect(() => loadConfig({ DEFAULT_RADIUS_METERS: '9000', MAX_RADIUS_METERS: '1000' })).toThrow(
      /must not exceed/,
    );
  });
});
