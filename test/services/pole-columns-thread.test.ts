// The pole network read for the graph, in this thread and in a worker thread (what a network of
// 250 000 poles or more uses, so it loads beside the box index): the same columns on both
// databases, with poles numbered in id order whether SQLite's rowids are dense or sparse (many
// poles deleted), and a clear error when the thread cannot read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { newId } from '../../src/ids.js';
import { dbUrl, type Db } from '../../src/ozmap-model/db/client.js';
import { loadPoleColumnsInThread } from '../../src/services/pole-columns-thread.js';
import { loadPoleColumns } from '../../src/services/pole-loader.js';
import { PoleNetwork } from '../../src/services/pole-network.js';
import type { PoleColumns } from '../../src/viability/index.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { createBox, ensureProject } from '../support/network-fixture.js';

const POLES = 2000;

/** The columns as plain arrays, spans and boxes named by pole id (what the numbers must mean). */
function byId(c: PoleColumns) {
  const id = (n: number) => c.ids[n];
  return {
    ids: [...c.ids],
    lat: [...c.lat],
    spans: [...c.spanFrom!].map((from, k) => `${id(from)}-${id(c.spanTo![k]!)}`).sort(),
    boxes: (c.boxIds ?? []).map((box, k) => `${box}@${id(c.boxPole![k]!)}`).sort(),
  };
}

describe.each(testProviders())('pole columns on %s', (provider) => {
  let database: TestDatabase;
  let db: Db;
  const expected = { ids: [] as string[], spans: [] as string[], boxes: [] as string[] };
  beforeAll(async () => {
    database = await freshDatabase(provider);
    db = database.db;
    const projectId = await ensureProject(db);
    const ids = Array.from({ length: POLES }, () => newId());
    await db.pole.createMany({
      data: ids.map((id, i) => ({ id, projectId, lat: -23.4 + i * 1e-4, lng: -51.9 })),
    });
    // Spans between neighbours, in an order unlike the ids'.
    const spans = ids.slice(1).map((to, i) => ({ from: ids[i]!, to }));
    await db.span.createMany({
      data: spans.reverse().map((s) => ({
        id: newId(),
        projectId,
        poleAId: s.from,
        poleBId: s.to,
        length: 12,
      })),
    });
    for (const k of [3, 150, 1999]) {
      const box = await createBox(db, { lat: -23.4 + k * 1e-4, lng: -51.9 });
      await db.box.update({ where: { id: box.boxId }, data: { poleId: ids[k] } });
      expected.boxes.push(`${box.boxId}@${ids[k]}`);
    }
    expected.ids = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expected.spans = spans.map((s) => `${s.from}-${s.to}`).sort();
    expected.boxes.sort();
  });
  afterAll(async () => database.drop());

  it('reads the same columns in a worker thread as in this one, numbered in id order', async () => {
    const here = byId(await loadPoleColumns(db));
    expect(here.ids).toEqual(expected.ids);
    expect(here.spans).toEqual(expected.spans);
    expect(here.boxes).toEqual(expected.boxes);
    expect(byId(await loadPoleColumnsInThread(dbUrl(db)))).toEqual(here);
  });

  it('keeps the numbering right when most poles are gone (sparse rowids on SQLite)', async () => {
    const keep = new Set(expected.ids.filter((_, i) => i % 100 === 0));
    await db.span.deleteMany({});
    await db.box.updateMany({ data: { poleId: null } });
    await db.pole.deleteMany({ where: { id: { notIn: [...keep] } } });
    const [first, second] = [...keep];
    const projectId = await ensureProject(db);
    await db.span.create({
      data: { id: newId(), projectId, poleAId: second!, poleBId: first!, length: 5 },
    });
    const columns = await loadPoleColumnsInThread(dbUrl(db));
    expect(byId(columns)).toMatchObject({ ids: [...keep], spans: [`${second}-${first}`] });
    expect(byId(await loadPoleColumns(db))).toEqual(byId(columns));
    const network = await PoleNetwork.load(db, createLogger('silent'), { threadFromPoles: 1 });
    expect(network.current.size).toBe(keep.size);
    expect(network.current.spanCount).toBe(1);
  });

  it('fails with a clear message when the thread cannot read the database', async () => {
    const missing =
      provider === 'sqlite'
        ? 'file:/nonexistent/alcance/none.db'
        : `${dbUrl(db).replace(/\/[^/?]+(\?|$)/, '/alcance_no_such_db$1')}`;
    await expect(loadPoleColumnsInThread(missing)).rejects.toThrow(
      /loading the pole network failed: .+/,
    );
  });
});
