// Pole-mode viability through the change log: poles, spans, a box joining a pole, a project's
// maximum drop size and gated communities changed by another program (plain SQL, no service
// told) reach an instance's pole graph at its next poll, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { newId } from '../../src/ids.js';
import type { Db } from '../../src/ozmap-model/db/client.js';
import { CondoAreas } from '../../src/services/condo-areas.js';
import { NetworkSync } from '../../src/services/network-sync.js';
import { PoleNetwork } from '../../src/services/pole-network.js';
import { ViabilityService } from '../../src/services/viability-service.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

const logger = createLogger('silent');
const LAT = -23.43;
const LNG = -51.95;
/** `east` metres east and `north` metres north of (LAT, LNG). */
const at = (east: number, north = 0) => ({
  lat: LAT + north / 111_195,
  lng: LNG + east / (111_195 * Math.cos((LAT * Math.PI) / 180)),
});

describe.each(testProviders())('pole change log on %s', (provider) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await freshDatabase(provider);
    db = database.db;
  });
  afterAll(async () => database.drop());

  it('takes poles, spans, a box on a pole, drop sizes and communities written by hand', async () => {
    const box = await createBox(db, {
      name: 'CTO-POSTE',
      ...at(300, 5),
      splitters: [{ ratio: 8 }],
    });
    const viability = await ViabilityService.load(db, {
      defaultRadiusMeters: () => 1000,
      maxBoxes: () => 20,
      maxRadiusMeters: 5000,
      logger,
    });
    viability.attach({
      poles: await PoleNetwork.load(db, logger),
      condos: await CondoAreas.load(db),
    });
    const sync = new NetworkSync({
      db,
      local: viability,
      logger,
      from: await NetworkSync.currentVersion(db),
      intervalMs: 1000,
    });
    const home = at(0, -20);
    const ask = () => viability.check({ ...home, settings: [{ mode: 'poles' }], radius: 1000 });
    expect(ask().startPoles).toBe(0);

    // Another program draws three poles 150 m apart, two spans, and hangs the box on the last.
    const poles = [newId(), newId(), newId()];
    for (const [k, id] of poles.entries()) {
      const p = at(k * 150);
      await db.$executeRawUnsafe(
        `INSERT INTO "Pole" ("id", "name", "projectId", "lat", "lng", "createdAt", "updatedAt")
         VALUES ('${id}', 'P${k}', '${box.projectId}', ${p.lat}, ${p.lng}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
      );
    }
    const span = (a: string, b: string, length: string) =>
      db.$executeRawUnsafe(
        `INSERT INTO "Span" ("id", "projectId", "poleAId", "poleBId", "length", "createdAt", "updatedAt")
         VALUES ('${newId()}', '${box.projectId}', '${a}', '${b}', ${length}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
      );
    await span(poles[0]!, poles[1]!, 'NULL');
    await span(poles[1]!, poles[2]!, '160');
    await db.$executeRawUnsafe(
      `UPDATE "Box" SET "poleId" = '${poles[2]}' WHERE "id" = '${box.boxId}'`,
    );
    expect(ask().startPoles).toBe(0); // not seen yet
    await sync.pollNow();
    const first = ask();
    expect(first.startPoles).toBe(1);
    expect(first.boxes.map((b) => [b.name, b.pole])).toEqual([['CTO-POSTE', poles[2]]]);
    // 20 m to the first pole, 150 m, then the measured 160 m
    expect(first.boxes[0]!.distance).toBeCloseTo(330, 0);

    // The project's maximum drop size lowered by hand: every route is judged again.
    await db.$executeRawUnsafe(
      `UPDATE "Project" SET "dropMaxSize" = 300 WHERE "id" = '${box.projectId}'`,
    );
    await sync.pollNow();
    const capped = ask();
    expect(capped.boxes).toEqual([]);
    expect(capped.refused.map((b) => [b.name, b.reason])).toEqual([
      ['CTO-POSTE', 'route_too_long'],
    ]);
    await db.$executeRawUnsafe(
      `UPDATE "Project" SET "dropMaxSize" = NULL WHERE "id" = '${box.projectId}'`,
    );

    // The middle span removed by hand: no way along the poles any more.
    await db.$executeRawUnsafe(`DELETE FROM "Span" WHERE "poleAId" = '${poles[1]}'`);
    await sync.pollNow();
    expect(ask().refused.map((b) => b.reason)).toEqual(['route_too_long']);

    // A gated community drawn round the box by hand: refused to this outsider when considered.
    const ring = [at(250, -50), at(350, -50), at(350, 50), at(250, 50), at(250, -50)].map((p) => [
      p.lng,
      p.lat,
    ]);
    await db.$executeRawUnsafe(
      `INSERT INTO "HorizontalCondominium" ("id", "name", "projectId", "polygonJson", "createdAt", "updatedAt")
       VALUES ('${newId()}', 'Jardim Fechado', '${box.projectId}', '${JSON.stringify({ type: 'Polygon', coordinates: [ring] })}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
    );
    const radius = () =>
      viability.check({ ...home, radius: 1000, settings: [{ horizontalCondos: true }] });
    expect(radius().boxes.map((b) => b.name)).toEqual(['CTO-POSTE']); // not seen yet
    await sync.pollNow();
    expect(radius().refused.map((b) => [b.name, b.reason])).toEqual([
      ['CTO-POSTE', 'horizontal_condo'],
    ]);
    sync.stop();
  });
});
