import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/ozmap-model/db/client.js';
import { getSystemConfig } from '../../src/ozmap-model/system-config.js';
import { getViabilitySettings } from '../../src/ozmap-model/viability-settings.js';
import { SalesWatch } from '../../src/sales/watch.js';
import { createLogger } from '../../src/logger.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';

// Instances starting together on an empty database all create the settings rows at once (many
// instances share PostgreSQL; SQLite serves one process).
describe.each(testProviders().filter((p) => p === 'postgresql'))(
  'settings rows created by instances starting together on %s',
  (provider) => {
    let t: TestDatabase | undefined;
    afterEach(async () => t?.drop());

    it('every instance gets the rows, none fails on the race', async () => {
      t = await freshDatabase(provider);
      const instances = Array.from({ length: 16 }, () => createDb(t!.url));
      try {
        const results = await Promise.all(
          instances.map(async (db) => ({
            config: await getSystemConfig(db, 300),
            viability: await getViabilitySettings(db),
          })),
        );
        // and the sales watch's baseline mark, written by each starting instance
        const now = () => new Date('2026-12-02T04:00:00Z');
        await Promise.all(
          instances.map((db) =>
            new SalesWatch({
              db,
              now,
              logger: createLogger('silent'),
              expiringWithinMs: 3_600_000,
              onEvents: () => undefined,
            }).baseline(),
          ),
        );
        expect(await t.db.keyValue.count({ where: { namespace: 'sales' } })).toBe(1);
        for (const r of results) {
          expect(r.config.defaultRadiusMeters).toBe(300);
          expect(r.viability).toEqual(results[0]!.viability);
        }
        expect(await t.db.viabilitySettings.count()).toBe(1);
      } finally {
        await Promise.all(instances.map((db) => db.$disconnect()));
      }
    });
  },
);
