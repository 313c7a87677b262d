// Spans (cable spans between poles) in the GeoJSON format: LineStrings naming their two poles,
// imported all-or-nothing with the other features, exported back, and handed to a running
// pole graph so pole-mode viability routes along them at once.
import { describe, expect, it } from 'vitest';
import type { NetworkChanges } from '../../src/context.js';
import { GeoJsonImportError, exportGeoJson, importGeoJson } from '../../src/ozmap-model/geojson.js';
import { freshDatabases, testProviders } from '../support/db.js';
import { box, collection, pole, splitter } from './geojson-fixtures.js';

function span(
  poles: [string, string],
  props: Record<string, unknown> = {},
  line?: number[][],
): { type: string; geometry: unknown; properties: Record<string, unknown> } {
  return {
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: line ?? [POS[poles[0]], POS[poles[1]]] },
    properties: { kind: 'span', name: `VAO-${poles[0]}-${poles[1]}`, poles, ...props },
  };
}

// Three poles ~100 m apart east-west along a street.
const POS: Record<string, number[]> = {
  P1: [-51.94, -23.42],
  P2: [-51.939022, -23.42],
  P3: [-51.938044, -23.42],
};

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GeoJsonImportError);
  return (err as GeoJsonImportError).problems;
}

function recorder() {
  const poles: Array<string[] | 'all'> = [];
  const network: NetworkChanges = {
    boxesChanged: () => Promise.resolve(),
    regionsChanged: () => Promise.resolve(),
    polesChanged: (ids) => {
      poles.push(ids === 'all' ? 'all' : [...ids].sort());
      return Promise.resolve();
    },
    condosChanged: () => Promise.resolve(),
  };
  return { poles, network };
}

describe.each(testProviders())('GeoJSON spans on %s', (provider) => {
  const fresh = freshDatabases(provider);
  const poles = () => Object.entries(POS).map(([n, [lng, lat]]) => pole(n, lng!, lat!));

  it('imports spans between poles of the file, with given, line or pole lengths', async () => {
    const db = await fresh();
    const seen = recorder();
    const report = await importGeoJson(
      db,
      collection(
        ...poles(),
        span(['P1', 'P2'], { length: 104.5, cable: 'CABO-AS-12' }),
        // a line that bends (around a tree): its own length
        span(['P2', 'P3'], {}, [POS.P2!, [-51.938533, -23.42005], POS.P3!]),
        // straight between its poles, no length: follows the poles
        span(['P1', 'P3'], { external_id: 'erp-span-9', name: null }),
        box('CTO-1', -51.93902, -23.42, { pole: 'P2', splitters: [splitter('S1', 8)] }),
      ),
      { network: seen.network },
    );
    expect(report.spans).toEqual({ created: 3, updated: 0, unchanged: 0 });
    const rows = await db.span.findMany({
      include: { poleA: true, poleB: true },
      orderBy: { createdAt: 'asc' },
    });
    const byName = new Map(rows.map((r) => [r.name ?? r.externalId, r]));
    expect(byName.get('VAO-P1-P2')).toMatchObject({ length: 104.5, cable: 'CABO-AS-12' });
    expect(byName.get('VAO-P1-P2')!.poleA.name).toBe('P1');
    const bent = byName.get('VAO-P2-P3')!.length!;
    expect(bent).toBeGreaterThan(100.3); // longer than the straight 100 m
    expect(bent).toBeLessThan(101);
    expect(byName.get('erp-span-9')).toMatchObject({ length: null, name: null });
    // the running pole graph is told about every pole whose spans or boxes changed
    expect(seen.poles).toHaveLength(1);
    const ids = (await db.pole.findMany({ orderBy: { id: 'asc' } })).map((p) => p.id);
    expect(seen.poles[0]).toEqual(ids);

    const again = await importGeoJson(
      db,
      collection(
        ...poles(),
        span(['P1', 'P2'], { length: 104.5, cable: 'CABO-AS-12' }),
        span(['P2', 'P3'], {}, [POS.P2!, [-51.938533, -23.42005], POS.P3!]),
        span(['P1', 'P3'], { external_id: 'erp-span-9', name: null }),
      ),
      { network: seen.network },
    );
    expect(again.spans).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(seen.poles).toHaveLength(1); // nothing changed: nothing to tell
  });

  it('updates a span (absent keeps, null clears), refers to stored poles, and re-exports the same', async () => {
    const db = await fresh();
    await importGeoJson(
      db,
      collection(...poles(), span(['P1', 'P2'], { length: 120, cable: 'CABO-1' })),
    );
    const seen = recorder();
    const report = await importGeoJson(
      db,
      collection(
        // poles only stored now; the span moves to P2-P3 and keeps its length and cable
        span(['P2', 'P3'], { name: 'VAO-P1-P2' }),
        span(['P1', 'P3'], { length: null }),
      ),
      { network: seen.network },
    );
    expect(report.spans).toEqual({ created: 1, updated: 1, unchanged: 0 });
    const moved = await db.span.findFirstOrThrow({
      where: { name: 'VAO-P1-P2' },
      include: { poleA: true, poleB: true },
    });
    expect([moved.poleA.name, moved.poleB.name, moved.length, moved.cable]).toEqual([
      'P2',
      'P3',
      120,
      'CABO-1',
    ]);
    // P1 lost the span, P2 and P3 gained one, P1-P3 is new: all three poles changed
    expect(seen.poles[0]).toHaveLength(3);
    const cleared = await importGeoJson(
      db,
      collection(span(['P2', 'P3'], { name: 'VAO-P1-P2', length: null, cable: null })),
    );
    expect(cleared.spans.updated).toBe(1);
    expect(await db.span.findFirstOrThrow({ where: { name: 'VAO-P1-P2' } })).toMatchObject({
      length: null,
      cable: null,
    });

    const exported = await exportGeoJson(db);
    const spans = exported.features.filter((f) => f.properties.kind === 'span');
    expect(spans).toEqual([
      {
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: [POS.P2, POS.P3] },
        properties: {
          kind: 'span',
          name: 'VAO-P1-P2',
          external_id: null,
          poles: ['P2', 'P3'],
          length: null,
          cable: null,
        },
      },
      {
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: [POS.P1, POS.P3] },
        properties: {
          kind: 'span',
          name: 'VAO-P1-P3',
          external_id: null,
          poles: ['P1', 'P3'],
          length: null,
          cable: null,
        },
      },
    ]);
    const target = await fresh();
    await importGeoJson(target, JSON.parse(JSON.stringify(exported)) as unknown);
    expect(await exportGeoJson(target)).toEqual(exported);
  });

  it('lists every span problem with its place and writes nothing', async () => {
    const db = await fresh();
    const problems = await problemsOf(
      importGeoJson(
        db,
        collection(
          ...poles(),
          span(['P1', 'NO-SUCH-POLE'], {}, [POS.P1!, POS.P2!]),
          span(['P1', 'P1'], { name: 'LOOP' }),
          span(['P1', 'P3'], { length: 50 }), // ~200 m apart
          span(['P1', 'P2'], { length: 9000 }),
          { ...span(['P2', 'P3']), geometry: { type: 'Point', coordinates: POS.P2 } },
          span(['P2', 'P3'], { name: 'VAO-P1-NO-SUCH-POLE' }),
          span(['P2', 'P3'], { name: null }),
          span(['P2', 'P3'], { name: 'ONE-END' }, [POS.P2!]),
        ),
      ),
    );
    expect(problems).toEqual([
      'features[3].properties.poles[1]: no pole "NO-SUCH-POLE" in the file or the database',
      'features[4].properties.poles: must be two different poles',
      'features[5].properties.length: 50 m is shorter than the 199.6 m between the poles',
      'features[6].properties.length: must be at most 5000 metres',
      'features[7].geometry.type: a span must be a LineString (got "Point")',
      'features[8].properties.name: duplicate span name "VAO-P1-NO-SUCH-POLE" (also features[3])',
      'features[9].properties: a span needs a name or an external_id',
      'features[10].geometry.coordinates: a line needs at least 2 positions',
    ]);
    expect(await db.pole.count()).toBe(0);
    expect(await db.span.count()).toBe(0);
  });
});
