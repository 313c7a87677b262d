import { describe, expect, it } from 'vitest';
import {
  SearchHits,
  ViabilityIndex,
  compileRegion,
  packExtraPorts,
  type RegionInput,
  type ViabilityQuery,
} from '../../src/viability/index.js';
import { bruteForce, random, type OracleBox } from './oracle.js';

const CITIES: Array<[number, number]> = [
  [-23.5505, -46.6333], // São Paulo
  [-22.9068, -43.1729], // Rio de Janeiro
  [-25.4284, -49.2733], // Curitiba
  [-27.5954, -48.548], // Florianópolis
];

function randomWorld(seed: number, count: number) {
  const rnd = random(seed);
  const near = (spread: number): [number, number] => {
    const [lat, lng] = CITIES[Math.floor(rnd() * CITIES.length)]!;
    return [lat + (rnd() - 0.5) * spread, lng + (rnd() - 0.5) * spread];
  };
  const box = (i: number): OracleBox => {
    // Mostly dense city clusters; some boxes share a position to exercise tie-breaking.
    const [lat, lng] = rnd() < 0.05 && i > 0 ? near(0) : near(0.06);
    return {
      id: `box-${seed}-${i.toString().padStart(5, '0')}`,
      lat,
      lng,
      draft: rnd() < 0.1,
      hasDropSplitter: rnd() < 0.85,
      freePorts: rnd() < 0.25 ? 0 : Math.floor(rnd() * 16),
      ...(rnd() < 0.3
        ? {
            blockedPorts: Math.floor(rnd() * 3),
            vacantPorts: Math.floor(rnd() * 3),
            blockedVacantPorts: Math.floor(rnd() * 2),
          }
        : {}),
    };
  };
  const boxes = Array.from({ length: count }, (_, i) => box(i));
  const tags = ['fibra-100', 'fibra-500', 'empresarial'];
  const regions: RegionInput[] = Array.from({ length: 12 }, (_, r) => {
    const [lat, lng] = near(0.04);
    const square = (cLat: number, cLng: number, half: number) => [
      [cLng - half, cLat - half],
      [cLng + half, cLat - half + rnd() * half * 0.5],
      [cLng + half, cLat + half],
      [cLng - half * 0.8, cLat + half],
      [cLng - half, cLat - half],
    ];
    const outer = square(lat, lng, 0.01 + rnd() * 0.02);
    const hole = square(lat, lng, 0.004);
    const regionTags = tags.filter(() => rnd() < 0.5);
    return r % 3 === 0
      ? {
          id: `region-${r}`,
          tags: regionTags,
          polygon: {
            type: 'MultiPolygon',
            coordinates: [[outer, hole], [square(lat + 0.05, lng, 0.01)]],
          },
        }
      : { id: `region-${r}`, tags: regionTags, polygon: { type: 'Polygon', coordinates: [outer] } };
  });
  const query = (): ViabilityQuery => {
    const [lat, lng] = near(0.07);
    const roll = rnd();
    const radius = roll < 0.05 ? 0 : roll < 0.9 ? rnd() * 1500 : rnd() * 20_000;
    const picked = tags.filter(() => rnd() < 0.4);
    return {
      lat,
      lng,
      radius,
      ...(rnd() < 0.4 ? { tags: picked } : {}),
      ...(rnd() < 0.3 ? { maxBoxes: Math.floor(rnd() * 10) } : {}),
      ...(rnd() < 0.2 ? { maxRefused: Math.floor(rnd() * 10) } : {}),
      ...(rnd() < 0.4 ? { ports: { blockedAsFree: rnd() < 0.5, vacantAsFree: rnd() < 0.5 } } : {}),
    };
  };
  return { rnd, boxes, regions, query, near, box };
}

describe('ViabilityIndex against a brute-force oracle', () => {
  it('returns the same boxes, order, distances, ports and refusal reasons', () => {
    const world = randomWorld(1, 5000);
    const index = ViabilityIndex.build(world.boxes, { regions: world.regions, nodeSize: 16 });
    const compiled = world.regions.map(compileRegion);
    let seen = 0;
    for (let i = 0; i < 400; i++) {
      const q = world.query();
      const expected = bruteForce(world.boxes, compiled, q);
      expect(index.query(q), JSON.stringify(q)).toEqual(expected);
      seen += expected.boxes.length + expected.refused.length;
    }
    expect(seen).toBeGreaterThan(10_000); // the queries did hit boxes
  });

  it('from columns, with refs and totals: the same answers as build() and the oracle', () => {
    const world = randomWorld(3, 4000);
    const n = world.boxes.length;
    const columns = {
      ids: world.boxes.map((b) => b.id),
      lat: Float64Array.from(world.boxes, (b) => b.lat),
      lng: Float64Array.from(world.boxes, (b) => b.lng),
      draft: Uint8Array.from(world.boxes, (b) => (b.draft ? 1 : 0)),
      hasDropSplitter: Uint8Array.from(world.boxes, (b) => (b.hasDropSplitter ? 1 : 0)),
      freePorts: Int32Array.from(world.boxes, (b) => b.freePorts),
      refs: Int32Array.from({ length: n }, (_, i) => 7 * i),
      extras: Int32Array.from(world.boxes, (b) => packExtraPorts(b)),
    };
    const index = ViabilityIndex.fromColumns(columns, { regions: world.regions });
    const compiled = world.regions.map(compileRegion);
    const hits = new SearchHits();
    let totals = 0;
    for (let i = 0; i < 300; i++) {
      const q = world.query();
      const expected = bruteForce(world.boxes, compiled, q);
      expect(index.query(q), JSON.stringify(q)).toEqual(expected);
      const all = bruteForce(world.boxes, compiled, {
        ...q,
        maxBoxes: undefined,
        maxRefused: undefined,
      });
      index.search(q, hits);
      expect(hits.viableTotal).toBe(all.boxes.length);
      expect(hits.refusedTotal).toBe(all.refused.length);
      for (let k = 0; k < hits.viable; k++) {
        const slot = hits.slots[k]!;
        expect(index.idAt(slot)).toBe(expected.boxes[k]!.id);
        expect(index.refAt(slot)).toBe(7 * columns.ids.indexOf(expected.boxes[k]!.id));
      }
      totals += hits.viableTotal + hits.refusedTotal;
    }
    expect(totals).toBeGreaterThan(10_000);
    expect(() => ViabilityIndex.fromColumns({ ...columns, lat: new Float64Array(3) })).toThrow(
      /lat has 3 entries for 4000 ids/,
    );
    const bad = { ...columns, lat: Float64Array.from(columns.lat) };
    bad.lat[17] = 91;
    expect(() => ViabilityIndex.fromColumns(bad)).toThrow(/box box-3-00017: lat must be/);
  });

  it('stays exact through random moves, additions, removals and availability changes', () => {
    const world = randomWorld(2, 3000);
    let index = ViabilityIndex.build(world.boxes, { regions: world.regions });
    const compiled = world.regions.map(compileRegion);
    const live = new Map(world.boxes.map((b) => [b.id, { ...b }]));
    let added = 0;
    for (let round = 0; round < 30; round++) {
      for (let k = 0; k < 40; k++) {
        const ids = [...live.keys()];
        const id = ids[Math.floor(world.rnd() * ids.length)]!;
        const box = live.get(id)!;
        const roll = world.rnd();
        if (roll < 0.25) {
          const [lat, lng] = world.near(0.06);
          Object.assign(box, { lat, lng });
          index.upsertBox({ id, lat, lng });
        } else if (roll < 0.4) {
          live.delete(id);
          expect(index.removeBox(id)).toBe(true);
        } else if (roll < 0.55) {
          const fresh = { ...world.box(100_000 + added++), id: `added-${round}-${k}` };
          live.set(fresh.id, fresh);
          index.upsertBox(fresh);
        } else if (roll < 0.7) {
          box.draft = !box.draft;
          index.setDraft(id, box.draft);
        } else {
          box.freePorts = Math.floor(world.rnd() * 4);
          box.hasDropSplitter = world.rnd() < 0.9;
          box.blockedPorts = world.rnd() < 0.3 ? 1 : 0;
          box.vacantPorts = world.rnd() < 0.3 ? 2 : 0;
          index.setAvailability(id, box);
        }
      }
      if (round % 10 === 9) index = index.rebuild();
      for (let i = 0; i < 15; i++) {
        const q = world.query();
        expect(index.query(q), JSON.stringify(q)).toEqual(bruteForce(live.values(), compiled, q));
      }
    }
    expect(index.size).toBe(live.size);
  });

  it('is exact on the whole globe, across the antimeridian and around the poles', () => {
    const rnd = random(3);
    const hot: Array<[number, number]> = [
      [-16.5, 180],
      [-16.5, -180],
      [89.95, 0],
      [-89.95, 0],
    ];
    const point = (): [number, number] => {
      if (rnd() < 0.5) {
        const [lat, lng] = hot[Math.floor(rnd() * hot.length)]!;
        const la = Math.max(-90, Math.min(90, lat + (rnd() - 0.5) * 0.2));
        let ln = lng + (rnd() - 0.5) * 0.4;
        if (ln > 180) ln -= 360;
        if (ln < -180) ln += 360;
        return [la, ln];
      }
      return [(Math.asin(2 * rnd() - 1) * 180) / Math.PI, rnd() * 360 - 180];
    };
    const boxes: OracleBox[] = Array.from({ length: 3000 }, (_, i) => {
      const [lat, lng] = point();
      return { id: `g${i}`, lat, lng, draft: rnd() < 0.1, hasDropSplitter: true, freePorts: 1 };
    });
    const index = ViabilityIndex.build(boxes);
    for (let i = 0; i < 300; i++) {
      const [lat, lng] = point();
      const radius = rnd() < 0.7 ? rnd() * 20_000 : rnd() * 3_000_000;
      const q = { lat, lng, radius };
      expect(index.query(q), JSON.stringify(q)).toEqual(bruteForce(boxes, [], q));
    }
  });
});
