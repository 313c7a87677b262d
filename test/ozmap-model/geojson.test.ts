import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/ozmap-model/db/client.js';
import { seedDemoNetwork } from '../../src/ozmap-model/demo-network.js';
import {
  GeoJsonImportError,
  exportGeoJson,
  importGeoJson,
  importGeoJsonFile,
} from '../../src/ozmap-model/geojson.js';
import { freshDatabases, testProviders } from '../support/db.js';
import { box, collection, pole, region, smallNetwork, splitter } from './geojson-fixtures.js';

async function rowCounts(db: Db) {
  return {
    projects: await db.project.count(),
    poles: await db.pole.count(),
    spans: await db.span.count(),
    boxes: await db.box.count(),
    splitters: await db.splitter.count(),
    ports: await db.splitterPort.count(),
    blocked: await db.splitterPort.count({ where: { blocked: true } }),
    regions: await db.region.count(),
    tags: await db.tag.count(),
    splitterTypes: await db.splitterType.count(),
  };
}

function writeTo(dir: string, text: string): string {
  const path = join(dir, 'whole.geojson');
  writeFileSync(path, text);
  return path;
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GeoJsonImportError);
  return (err as GeoJsonImportError).problems;
}

describe.each(testProviders())('GeoJSON import and export on %s', (provider) => {
  const fresh = freshDatabases(provider);

  it('lists every problem of an invalid file and writes nothing', async () => {
    const db = await fresh();
    const badSplitter = { ...splitter('S1', 8), ratio: { input: 1, output: 200 } };
    const portBeyond = {
      ...splitter('S2', 8),
      ports: [
        { index: 9, blocked: false },
        { index: 2, blocked: true },
        { index: 2, blocked: false },
      ],
    };
    const openRing = region('Aberta', ['x']);
    (openRing.geometry.coordinates[0] as number[][]).pop();
    (openRing.geometry.coordinates[0] as number[][]).push([-51.9, -23.4]);
    const input = collection(
      box('OK-1', -51.94, -23.42),
      box('CTO-A', -51.94, -23.42, { splitters: [badSplitter] }),
      box('CTO-B', -191, -23.42),
      {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [0, 0] },
        properties: { kind: 'cable' },
      },
      openRing,
      box('CTO-A', -51.94, -23.4),
      box('CTO-C', -51.94, -23.42, { splitters: [portBeyond] }),
      box('CTO-D', -51.94, -23.42, { pole: 'NO-SUCH-POLE' }),
      pole('P', -51.94, 95),
      'not a feature',
    );
    const problems = await problemsOf(importGeoJson(db, input));
    expect(problems).toEqual([
      'features[1].properties.splitters[0].ratio.output: must be an integer 2..128',
      'features[2].geometry.coordinates[0]: longitude must be between -180 and 180',
      'features[3].properties.kind: unknown kind "cable" (expected box, pole, span or region)',
      'features[4].geometry.coordinates[0]: ring is not closed: its first and last positions must be equal',
      'features[5].properties.name: duplicate box name "CTO-A" (also features[1])',
      "features[6].properties.splitters[0].ports[0].index: port 9 is beyond the splitter's 8 outputs",
      'features[6].properties.splitters[0].ports[2].index: port 2 is listed twice',
      'features[7].properties.pole: no pole "NO-SUCH-POLE" in the file or the database',
      'features[8].geometry.coordinates[1]: latitude must be between -90 and 90',
      'features[9].type: must be "Feature"',
    ]);
    expect(Object.values(await rowCounts(db)).every((n) => n === 0)).toBe(true);
  });

  it('imports a stretch at a time as in one piece, poles named before they come and tags used across stretches', async () => {
    // boxes (and the region sharing CTO-2's tag) before the poles they name: held back, then planned
    const reordered = () => {
      const features = smallNetwork().features as Array<{ properties: { kind: string } }>;
      const poles = features.filter((f) => f.properties.kind === 'pole');
      const rest = features.filter((f) => f.properties.kind !== 'pole');
      return collection(...rest, region('Condominio', ['condominio']), ...poles);
    };
    const whole = await fresh();
    const piecewise = await fresh();
    const report = await importGeoJson(whole, reordered());
    expect(await importGeoJson(piecewise, reordered(), { stretch: 1 })).toEqual(report);
    expect(report.poles.created).toBe(2);
    expect(report.boxes.created).toBe(3);
    expect(await exportGeoJson(piecewise)).toEqual(await exportGeoJson(whole));
    expect(await rowCounts(piecewise)).toEqual(await rowCounts(whole));
    const cto1 = await piecewise.box.findFirstOrThrow({
      where: { name: 'CTO-1' },
      include: { pole: true },
    });
    expect(cto1.pole?.name).toBe('POSTE-1');
    const tag = await piecewise.tag.findFirstOrThrow({ where: { name: 'condominio' } });
    expect(JSON.parse(tag.allowedTypesJson)).toEqual(['box', 'region']);
    // and the same file again, a feature at a time, changes nothing
    const again = await importGeoJson(piecewise, reordered(), { stretch: 1 });
    expect(again.boxes).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(again.poles).toEqual({ created: 0, updated: 0, unchanged: 2 });
  });

  it('a problem in the last stretch: the stretches already written are not kept', async () => {
    const db = await fresh();
    const features = smallNetwork().features.concat(
      box('CTO-9', -191, -23.42),
      box('CTO-8', -51.94, -23.42, { pole: 'NO-SUCH-POLE' }),
    );
    expect(await problemsOf(importGeoJson(db, collection(...features), { stretch: 2 }))).toEqual([
      'features[6].geometry.coordinates[0]: longitude must be between -180 and 180',
      'features[7].properties.pole: no pole "NO-SUCH-POLE" in the file or the database',
    ]);
    expect(Object.values(await rowCounts(db)).every((n) => n === 0)).toBe(true);
  });

  it('a file cut off or broken halfway: says at which byte, and the stretches already written are not kept', async () => {
    const db = await fresh();
    const text = JSON.stringify(smallNetwork(), null, 1);
    const dir = mkdtempSync(join(tmpdir(), 'alcance-geojson-'));
    const cut = join(dir, 'cut.geojson');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.8)));
    expect(await problemsOf(importGeoJsonFile(db, cut, { stretch: 1 }))).toEqual([
      `file: not valid JSON (unexpected end of file at byte ${Buffer.byteLength(text.slice(0, Math.floor(text.length * 0.8)))})`,
    ]);
    const broken = join(dir, 'broken.geojson');
    const at = text.lastIndexOf('"kind"');
    writeFileSync(broken, `${text.slice(0, at)}kind${text.slice(at + 6)}`);
    const featureStart = text.lastIndexOf('\n  {', at) + 3;
    expect(await problemsOf(importGeoJsonFile(db, broken, { stretch: 1 }))).toEqual([
      `file: not valid JSON (features[${smallNetwork().features.length - 1}] is not valid JSON at byte ${Buffer.byteLength(text.slice(0, featureStart))})`,
    ]);
    expect(Object.values(await rowCounts(db)).every((n) => n === 0)).toBe(true);
    expect((await importGeoJsonFile(db, writeTo(dir, text), { stretch: 1 })).boxes.created).toBe(3);
  });

  it('rejects a file that is not a FeatureCollection', async () => {
    const db = await fresh();
    expect(await problemsOf(importGeoJson(db, { type: 'Feature' }))).toEqual([
      'type: must be "FeatureCollection"',
    ]);
  });

  it('imports a network, and a second import of the same file changes nothing', async () => {
    const db = await fresh();
    const first = await importGeoJson(db, smallNetwork());
    expect(first.poles).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(first.boxes).toEqual({ created: 3, updated: 0, unchanged: 0 });
    expect(first.splitters).toEqual({ created: 4, updated: 0, unchanged: 0 });
    expect(first.regions).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(first.createdCatalogue).toEqual({
      projects: 1,
      boxTypes: 1,
      splitterTypes: 3,
      regionTypes: 1,
      tags: 3,
    });
    const counts = await rowCounts(db);
    // 36 ports, one blocked: a port has a row only when it has something of its own.
    expect(counts).toMatchObject({ boxes: 3, splitters: 4, ports: 1, blocked: 1 });
    const cto2 = await db.box.findFirst({
      where: { name: 'CTO-2' },
      include: { pole: true, tags: true, splitters: { orderBy: { name: 'asc' } } },
    });
    expect(cto2?.pole?.externalId).toBe('pole-ext-2');
    expect(cto2?.tags.map((t) => [t.name, t.allowedTypesJson])).toEqual([
      ['condominio', '["box"]'],
    ]);
    expect(cto2?.splitters.map((s) => [s.name, s.isDrop, s.ratioOut])).toEqual([
      ['Splitter 1', true, 16],
      ['Splitter 2', false, 4],
    ]);
    expect(await db.box.findFirst({ where: { name: 'CTO-3' } })).toMatchObject({
      draft: true,
      implanted: false,
      poleId: null,
    });

    const second = await importGeoJson(db, smallNetwork());
    expect(second.poles).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(second.boxes).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(second.splitters).toEqual({ created: 0, updated: 0, unchanged: 4 });
    expect(second.regions).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(Object.values(second.createdCatalogue).every((n) => n === 0)).toBe(true);
    expect(await rowCounts(db)).toEqual(counts);
  });

  it('updates in place by external id and by name', async () => {
    const db = await fresh();
    await importGeoJson(db, smallNetwork());
    const before = await db.box.findUniqueOrThrow({ where: { externalId: 'box-ext-1' } });
    const cto2 = await db.box.findFirstOrThrow({ where: { name: 'CTO-2' } });

    const renamed = box('CTO-1 RENOMEADA', -51.9405, -23.4205, {
      external_id: 'box-ext-1',
      pole: 'POSTE-1',
      splitters: [splitter('Splitter 1', 8, true, [1, 2])],
    });
    const readdressed = box('CTO-2', -51.941, -23.421, {
      pole: 'pole-ext-2',
      address: 'Av. Brasil, 100 - Zona 01, Maringá - PR',
      tags: ['condominio', 'plano-1gb'],
    });
    const report = await importGeoJson(db, collection(renamed, readdressed));
    expect(report.boxes).toEqual({ created: 0, updated: 2, unchanged: 0 });
    expect(report.splitters.updated).toBe(2);
    expect(report.splitters.created).toBe(0);

    const after = await db.box.findUniqueOrThrow({ where: { id: before.id } });
    expect(after).toMatchObject({ name: 'CTO-1 RENOMEADA', lng: -51.9405, lat: -23.4205 });
    const ports = await db.splitterPort.findMany({
      where: { splitter: { boxId: before.id } },
      orderBy: { index: 'asc' },
    });
    expect(ports.map((p) => [p.index, p.blocked])).toEqual([
      [1, true],
      [2, true],
    ]);

    const cto2After = await db.box.findUniqueOrThrow({
      where: { id: cto2.id },
      include: { tags: true, splitters: true },
    });
    expect(cto2After.address).toBe('Av. Brasil, 100 - Zona 01, Maringá - PR');
    expect(cto2After.tags.map((t) => t.name).sort()).toEqual(['condominio', 'plano-1gb']);
    // Splitter 2 was not in the file: an import never deletes what it does not mention.
    expect(cto2After.splitters).toHaveLength(2);
    expect(await db.box.count()).toBe(3);
  });

  it('never removes a port a property holds, and says which', async () => {
    const db = await fresh();
    await importGeoJson(db, smallNetwork());
    const s = await db.splitter.findFirstOrThrow({
      where: { name: 'Splitter 1', box: { name: 'CTO-2' } },
    });
    const project = await db.project.findFirstOrThrow();
    await db.ftthClient.create({ data: { id: 'c'.repeat(24), code: 'CLI-77', implanted: true } });
    await db.property.create({
      data: {
        id: 'd'.repeat(24),
        projectId: project.id,
        clientId: 'c'.repeat(24),
        splitterId: s.id,
        port: 12,
      },
    });
    const shrunk = box('CTO-2', -51.941, -23.421, {
      pole: 'pole-ext-2',
      tags: ['condominio'],
      splitters: [{ ...splitter('Splitter 1', 8), type: '1x8' }],
    });
    const problems = await problemsOf(importGeoJson(db, collection(shrunk)));
    expect(problems).toEqual([
      'features[0].properties.splitters[0].ratio.output: ports above 8 cannot be removed, a property holds port 12 (client CLI-77)',
    ]);
    const rows = await db.splitterPort.findMany({ where: { splitterId: s.id } });
    expect(rows.map((p) => [p.index, p.blocked])).toEqual([[3, true]]);
    expect(await db.splitter.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({
      ratioOut: 16,
    });
  });

  it('keeps a row only for a port with a state of its own: blocks, unblocks and shrinks by file', async () => {
    const db = await fresh();
    await importGeoJson(db, smallNetwork());
    const s = await db.splitter.findFirstOrThrow({
      where: { name: 'Splitter 1', box: { name: 'CTO-2' } },
    });
    const rowsOf = async () =>
      (
        await db.splitterPort.findMany({ where: { splitterId: s.id }, orderBy: { index: 'asc' } })
      ).map((p) => [p.index, p.blocked]);
    const cto2 = (splitter1: ReturnType<typeof splitter>) =>
      collection(
        box('CTO-2', -51.941, -23.421, {
          pole: 'pole-ext-2',
          tags: ['condominio'],
          splitters: [splitter1, splitter('Splitter 2', 4, false)],
        }),
      );
    const portsInExport = async () => {
      const doc = await exportGeoJson(db);
      const f = doc.features.find((x) => x.properties.name === 'CTO-2');
      if (f?.properties.kind !== 'box') throw new Error('CTO-2 is not in the export');
      return f.properties.splitters?.find((x) => x.name === 'Splitter 1')?.ports;
    };
    // Port 3 opens (its row says so), ports 5 and 12 are blocked (rows made for them).
    const moved = await importGeoJson(db, cto2(splitter('Splitter 1', 16, true, [5, 12])));
    expect(moved.splitters).toEqual({ created: 0, updated: 1, unchanged: 1 });
    expect(await rowsOf()).toEqual([
      [3, false],
      [5, true],
      [12, true],
    ]);
    expect(await portsInExport()).toEqual([
      { index: 5, blocked: true },
      { index: 12, blocked: true },
    ]);
    const again = await importGeoJson(db, cto2(splitter('Splitter 1', 16, true, [5, 12])));
    expect(again.splitters).toEqual({ created: 0, updated: 0, unchanged: 2 });
    // 1x16 to 1x8: the rows above port 8 go with the ports.
    const shrunk = await importGeoJson(db, cto2({ ...splitter('Splitter 1', 8, true, [5]) }));
    expect(shrunk.splitters.updated).toBe(1);
    expect(await rowsOf()).toEqual([
      [3, false],
      [5, true],
    ]);
    expect(await db.splitter.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({
      ratioOut: 8,
    });
    expect(await portsInExport()).toEqual([{ index: 5, blocked: true }]);
  });

  it('reports conflicts with stored rows: splitter type ratio, a splitter of another box', async () => {
    const db = await fresh();
    await importGeoJson(
      db,
      collection(
        box('CTO-1', -51.94, -23.42, {
          splitters: [{ ...splitter('S', 8), external_id: 'spl-1' }],
        }),
      ),
    );
    const problems = await problemsOf(
      importGeoJson(
        db,
        collection(
          box('CTO-9', -51.94, -23.42, {
            splitters: [
              { ...splitter('S', 8), external_id: 'spl-1' },
              { ...splitter('T', 16), type: '1x8' },
            ],
          }),
        ),
      ),
    );
    expect(problems).toEqual([
      'features[0].properties.splitters[0].external_id: splitter "spl-1" belongs to another box (CTO-1)',
      'features[0].properties.splitters[1].ratio: splitter type "1x8" is 1:8 in the database, not 1:16',
    ]);
    expect(await db.box.count()).toBe(1);
  });

  it(
    'round-trips the demo network: export, import into an empty database, export again',
    { timeout: 180_000 },
    async () => {
      const source = await fresh();
      await seedDemoNetwork(source, 11);
      const exported = await exportGeoJson(source);
      expect(exported.features.filter((f) => f.properties.kind === 'box')).toHaveLength(
        await source.box.count(),
      );
      const again = await importGeoJson(source, exported);
      expect(again.boxes.created + again.boxes.updated).toBe(0);
      expect(again.splitters.created + again.splitters.updated).toBe(0);

      const target = await fresh();
      const report = await importGeoJson(target, JSON.parse(JSON.stringify(exported)) as unknown);
      expect(report.boxes.created).toBe(await source.box.count());
      expect(await exportGeoJson(target)).toEqual(exported);
      const [a, b] = [await rowCounts(source), await rowCounts(target)];
      expect(b).toEqual({ ...a });
    },
  );
});
