import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createFindMe, createGeocoder } from '../../src/findme/index.js';
import { createLogger } from '../../src/logger.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';

describe('createFindMe', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('sqlite');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('reads FindME settings from the environment', () => {
    const config = loadConfig({
      FINDME_LINK_TTL_MINUTES: '15',
      FINDME_MAP_CENTER: '-23.4253, -51.9386',
      GEOCODER_URL: 'http://127.0.0.1:8088',
    });
    expect(config.findme).toEqual({
      secret: undefined,
      linkTtlMinutes: 15,
      mapCenter: { lat: -23.4253, lng: -51.9386 },
    });
    expect(config.map.satelliteTileUrl).toMatch(/World_Imagery/);
    expect(config.geocoder).toMatchObject({ url: 'http://127.0.0.1:8088', minIntervalMs: 1000 });
    expect(() => loadConfig({ MAP_TILE_URL: 'https://tiles.example/{z}.png' })).toThrow(
      /MAP_TILE_URL/,
    );
    expect(() => loadConfig({ FINDME_SECRET: 'short' })).toThrow(/FINDME_SECRET/);
    expect(() => loadConfig({ FINDME_MAP_CENTER: '-95,10' })).toThrow(/FINDME_MAP_CENTER/);
  });

  it('without GEOCODER_URL there is no geocoder', () => {
    expect(createGeocoder(loadConfig({}).geocoder)).toBeUndefined();
  });

  it('makes links under PUBLIC_URL that survive a restart (secret and claims in the database)', async () => {
    const config = loadConfig({
      PUBLIC_URL: 'https://alcance.example.com.br',
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger('silent');
    const onConfirmed = () => Promise.resolve();
    const secrets = SecretBox.fromKey(new Uint8Array(32).fill(7));
    const first = await createFindMe({ config, db: t.db, logger, onConfirmed, secrets });
    const { url } = await first.links.create('telegram', '42');
    expect(url.startsWith('https://alcance.example.com.br/findme/')).toBe(true);
    const token = url.split('/findme/')[1] ?? '';
    const check = await first.links.verify(token);
    if (!check.ok) throw new Error('expected a valid link');
    expect(await first.links.claim(check.link)).toBe(true);

    const restarted = await createFindMe({ config, db: t.db, logger, onConfirmed, secrets });
    expect(await restarted.links.verify(token)).toMatchObject({ ok: false, reason: 'used' });
    const { url: fresh } = await first.links.create('telegram', '43');
    expect((await restarted.links.verify(fresh.split('/findme/')[1] ?? '')).ok).toBe(true);
  });
});
