// An import tells other instances what it changed through the NetworkChange log. It keeps the
// per-row triggers from logging box and pole keys (SQLite: drops them in its transaction;
// PostgreSQL: a setting of its transaction) and logs each changed box and pole once: the keys it
// logs must cover every key the triggers would have logged, and the triggers must be back (or
// never gone) whatever happens to the import.
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import type { Db } from '../../src/ozmap-model/db/client.js';
import { importGeoJson, type ImportOptions } from '../../src/ozmap-model/geojson.js';
import { freshDatabases, testProviders } from '../support/db.js';
import { box, collection, pole, splitter } from './geojson-fixtures.js';

const span = (a: string, b: string, length?: number) => ({
  type: 'Feature',
  geometry: { type: 'LineString', coordinates: [POS[a], POS[b]] },
  properties: { kind: 'span', name: `VAO-${a}-${b}`, poles: [a, b], ...(length ? { length } : {}) },
});
const POS: Record<string, number[]> = {
  P1: [-51.94, -23.42],
  P2: [-51.939, -23.42],
  P3: [-51.938, -23.42],
};

const first = () =>
  collection(
    pole('P1', -51.94, -23.42),
    pole('P2', -51.939, -23.42),
    pole('P3', -51.938, -23.42),
    span('P1', 'P2'),
    box('CTO-1', -51.94, -23.42, { pole: 'P1' }),
    box('CTO-2', -51.939, -23.42, { splitters: [splitter('S1', 8), splitter('S2', 4, false)] }),
    box('CTO-3', -51.938, -23.42),
    box('CTO-4', -51.937, -23.42),
  );
// Moves CTO-1, widens a splitter of CTO-2, blocks a port of CTO-3, leaves CTO-4 alone, moves P3,
// adds a span and a box on P2.
const second = () =>
  collection(
    pole('P1', -51.94, -23.42),
    pole('P2', -51.939, -23.42),
    pole('P3', -51.9381, -23.4201),
    span('P1', 'P2'),
    span('P2', 'P3'),
    box('CTO-1', -51.9401, -23.4201, { pole: 'P1' }),
    box('CTO-2', -51.939, -23.42, { splitters: [splitter('S1', 16), splitter('S2', 4, false)] }),
    box('CTO-3', -51.938, -23.42, { splitters: [splitter('Splitter 1', 8, true, [2])] }),
    box('CTO-4', -51.937, -23.42),
    box('CTO-5', -51.939, -23.42, { pole: 'P2' }),
  );

/** The log's keys newer than `after`, with box and pole ids turned into names (ids differ per database). */
async function loggedSince(db: Db, after: bigint): Promise<string[]> {
  const rows = await db.networkChange.findMany({ where: { version: { gt: after } } });
  const boxes = new Map((await db.box.findMany()).map((b) => [b.id, b.name]));
  const poles = new Map((await db.pole.findMany()).map((p) => [p.id, p.name]));
  return rows
    .map(({ key }) =>
      key.startsWith('pole:') ? `pole:${poles.get(key.slice(5)) ?? '?'}` : (boxes.get(key) ?? key),
    )
    .sort();
}

const latest = async (db: Db) =>
  (await db.networkChange.aggregate({ _max: { version: true } }))._max.version ?? 0n;

async function triggerNames(db: Db, provider: string): Promise<string[]> {
  const rows: Array<{ name: string }> =
    provider === 'sqlite'
      ? await db.$queryRawUnsafe(
          `SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`,
        )
      : await db.$queryRawUnsafe(
          `SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname`,
        );
  return rows.map((r) => r.name);
}

describe.each(testProviders())('an import logs its changes on %s', (provider) => {
  const fresh = freshDatabases(provider);

  it('logs every box and pole key the row triggers would, and the triggers stay', async () => {
    const [bulk, rowByRow] = [await fresh(), await fresh()];
    const triggers = await triggerNames(bulk, provider);
    expect(triggers.length).toBeGreaterThan(10);
    const both = async (doc: unknown): Promise<[string[], string[]]> => {
      const since = [await latest(bulk), await latest(rowByRow)] as const;
      await importGeoJson(bulk, doc);
      await importGeoJson(rowByRow, doc, { changeLog: 'triggers' });
      const logged = await loggedSince(bulk, since[0]);
      // each key once: the row triggers (had they logged box and pole keys too) would have taken
      // a version for a box and again for its splitters
      expect(Number((await latest(bulk)) - since[0])).toBe(logged.length);
      return [logged, await loggedSince(rowByRow, since[1])];
    };

    const [created, createdByTriggers] = await both(first());
    expect(createdByTriggers).toEqual([
      'CTO-1',
      'CTO-2',
      'CTO-3',
      'CTO-4',
      'pole:P1',
      'pole:P2',
      'pole:P3',
    ]);
    expect(created).toEqual(expect.arrayContaining(createdByTriggers));

    const [changed, changedByTriggers] = await both(second());
    expect(changedByTriggers).toEqual(
      expect.arrayContaining(['CTO-1', 'CTO-2', 'CTO-3', 'CTO-5', 'pole:P2', 'pole:P3']),
    );
    expect(changedByTriggers).not.toContain('CTO-4');
    expect(changed).toEqual(expect.arrayContaining(changedByTriggers));
    expect(changed).not.toContain('CTO-4');

    // the same file again changes nothing and logs nothing
    expect(await both(second())).toEqual([[], []]);

    expect(await triggerNames(bulk, provider)).toEqual(triggers);
    // and they still fire: a box written by hand is logged
    const before = await latest(bulk);
    const project = await bulk.project.findFirstOrThrow();
    await bulk.box.create({
      data: { id: newId(), name: 'CTO-SQL', lat: -23.43, lng: -51.95, projectId: project.id },
    });
    expect(await loggedSince(bulk, before)).toEqual(['CTO-SQL']);
  });

  it('an import that fails while writing leaves the triggers and the inventory as they were', async () => {
    const db = await fresh();
    await importGeoJson(db, first());
    const triggers = await triggerNames(db, provider);
    const since = await latest(db);
    const boxes = await db.box.count();
    let phase = '';
    let rows = 0;
    const failing: ImportOptions['progress'] = {
      phase: (name) => void (phase = name),
      advance: (n = 1) => {
        // three features a stretch: the third stretch is written before this throws
        if (phase === 'importing' && (rows += n) > 6) throw new Error('killed halfway');
      },
      end: () => undefined,
    };
    await expect(importGeoJson(db, second(), { progress: failing, stretch: 3 })).rejects.toThrow(
      'killed halfway',
    );
    expect(await triggerNames(db, provider)).toEqual(triggers);
    expect(await db.box.count()).toBe(boxes);
    expect(await latest(db)).toBe(since);
  });
});
