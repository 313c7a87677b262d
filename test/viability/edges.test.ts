import { describe, expect, it } from 'vitest';
import {
  ViabilityIndex,
  ViabilityInputError,
  clampRadius,
  dropAvailability,
  haversineMeters,
  offeredPorts,
  type BoxInput,
} from '../../src/viability/index.js';
import { ValidationError } from '../../src/errors.js';
import { IdTable } from '../../src/viability/id-table.js';
import { orderCandidates } from '../../src/viability/order.js';
import { MASP, PAULISTA_BOXES } from './fixture.js';

const open = (id: string, lat: number, lng: number): BoxInput => ({
  id,
  lat,
  lng,
  hasDropSplitter: true,
  freePorts: 1,
});
const ids = (index: ViabilityIndex, lat: number, lng: number, radius: number) =>
  index.query({ lat, lng, radius }).boxes.map((b) => b.id);

describe('edge cases', () => {
  it('an empty index answers empty, then takes boxes without a rebuild', () => {
    const index = ViabilityIndex.build([]);
    expect(index.query({ ...MASP, radius: 1e7 })).toEqual({ boxes: [], refused: [] });
    index.upsertBox(open('first', MASP.lat, MASP.lng));
    expect(ids(index, MASP.lat, MASP.lng, 1)).toEqual(['first']);
    expect(ids(index.rebuild(), MASP.lat, MASP.lng, 1)).toEqual(['first']);
  });

  it('finds boxes across the antimeridian, from either side', () => {
    const index = ViabilityIndex.build([
      open('east', -16.5, 179.9995),
      open('west', -16.5, -179.9995),
      open('far-west', -16.5, -179.98),
    ]);
    expect(ids(index, -16.5, 179.9999, 500)).toEqual(['east', 'west']);
    expect(ids(index, -16.5, -180, 500)).toEqual(['east', 'west']);
    expect(ids(index, -16.5, 180, 3000)).toEqual(['east', 'west', 'far-west']);
    const [east] = index.query({ lat: -16.5, lng: 180, radius: 500 }).boxes;
    expect(east!.distance).toBeCloseTo(haversineMeters(-16.5, 180, -16.5, 179.9995), 2);
  });

  it('finds boxes at every longitude when the circle covers a pole', () => {
    const around = [0, 90, 180, -90, -179].map((lng) => open(`lng${lng}`, 89.999, lng));
    const index = ViabilityIndex.build([...around, open('pole', 90, 0), open('south', -90, 10)]);
    expect(ids(index, 90, 0, 200).sort()).toEqual(
      ['lng0', 'lng90', 'lng180', 'lng-90', 'lng-179', 'pole'].sort(),
    );
    expect(ids(index, 89.9995, 45, 200)).toContain('lng-179');
    expect(ids(index, -90, -120, 1)).toEqual(['south']);
  });

  it('a radius of half the circumference or more covers the whole planet', () => {
    const index = ViabilityIndex.build([open('a', 10, 10), open('antipode', -10, -170)]);
    expect(ids(index, 10, 10, 2.1e7)).toEqual(['a', 'antipode']);
    expect(ids(index, 10, 10, 0)).toEqual(['a']);
  });

  it('keeps boxes exactly at the same place in id order', () => {
    const index = ViabilityIndex.build([open('b', 1, 1), open('c', 1, 1), open('a', 1, 1)]);
    expect(ids(index, 1, 1, 0)).toEqual(['a', 'b', 'c']);
  });
});

describe('bad input gets a ViabilityInputError naming the value', () => {
  const index = ViabilityIndex.build(PAULISTA_BOXES);
  const queryError = (q: unknown) => () => index.query(q as never);

  it('rejects bad queries', () => {
    expect(queryError({ lat: NaN, lng: 0, radius: 1 })).toThrow(/lat .* got NaN/);
    expect(queryError({ lat: 90.5, lng: 0, radius: 1 })).toThrow(/got 90.5/);
    expect(queryError({ lat: 0, lng: -180.1, radius: 1 })).toThrow(/lng .* got -180.1/);
    expect(queryError({ lat: '1', lng: 0, radius: 1 })).toThrow(/got "1"/);
    expect(queryError({ lat: 0, lng: 0, radius: -5 })).toThrow(/radius .* got -5/);
    expect(queryError({ lat: 0, lng: 0, radius: Infinity })).toThrow(/got Infinity/);
    expect(queryError({ lat: 0, lng: 0, radius: 1, maxBoxes: 1.5 })).toThrow(/maxBoxes .* 1.5/);
    expect(queryError({ lat: 0, lng: 0, radius: 1, maxRefused: -1 })).toThrow(/maxRefused/);
    expect(queryError({ lat: 0, lng: 0, radius: 1, tags: 'x' })).toThrow(/tags .* "x"/);
    expect(queryError(null)).toThrow(/query must be an object/);
    expect(queryError({ lat: 0, lng: 0, radius: -1 })).toThrow(ViabilityInputError);
    expect(queryError({ lat: 0, lng: 0, radius: -1 })).toThrow(ValidationError);
  });

  it('rejects bad boxes at build and update', () => {
    const build = (boxes: unknown) => () => ViabilityIndex.build(boxes as BoxInput[]);
    expect(build('nope')).toThrow(/boxes must be an array/);
    expect(build([open('a', 0, 0), open('a', 1, 1)])).toThrow(/"a" appears more than once/);
    expect(build([{ id: '', lat: 0, lng: 0 }])).toThrow(/boxes\[0\]: id must be/);
    expect(build([{ id: 'x', lat: 100, lng: 0 }])).toThrow(/box x: lat .* got 100/);
    expect(build([{ id: 'x', lat: 0, lng: '10' }])).toThrow(/box x: lng .* got "10"/);
    expect(build([{ id: 'x', lat: 0, lng: 0, freePorts: -1 }])).toThrow(/freePorts .* got -1/);
    expect(build([{ id: 'x', lat: 0, lng: 0, draft: 'yes' }])).toThrow(/draft .* "yes"/);
    expect(() => index.upsertBox({ id: 'cto-masp', lat: NaN, lng: 0 })).toThrow(/got NaN/);
    expect(() =>
      index.setAvailability('cto-masp', { hasDropSplitter: true, freePorts: 2.5 }),
    ).toThrow(/freePorts .* 2.5/);
    expect(() => index.adjustFreePorts('cto-masp', 0.5)).toThrow(/delta .* 0.5/);
  });

  it('rejects bad regions and leaves the current ones in place', () => {
    const bad = (polygon: unknown) => () =>
      index.setRegions([{ id: 'r', tags: ['t'], polygon: polygon as never }]);
    expect(bad({ type: 'Point', coordinates: [0, 0] })).toThrow(/got type "Point"/);
    expect(
      bad({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
          ],
        ],
      }),
    ).toThrow(/at least 3 positions/);
    expect(
      bad({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [200, 1],
          ],
        ],
      }),
    ).toThrow(/region r polygon 0 ring 0 position 2: lng .* got 200/);
    expect(bad({ type: 'MultiPolygon', coordinates: [] })).toThrow(/no polygons/);
    expect(() =>
      index.setRegions([{ id: 'r', tags: 'x' as never, polygon: null as never }]),
    ).toThrow(/tags must be an array/);
  });
});

describe('clampRadius', () => {
  it('caps at the maximum and says so', () => {
    expect(clampRadius(300, 5000)).toEqual({ radius: 300, capped: false });
    expect(clampRadius(5000, 5000)).toEqual({ radius: 5000, capped: false });
    expect(clampRadius(1e9, 5000)).toEqual({ radius: 5000, capped: true });
    expect(() => clampRadius(NaN, 5000)).toThrow(/radius .* NaN/);
  });
});

describe('dropAvailability', () => {
  it('counts free, unblocked ports of drop splitters only', () => {
    expect(
      dropAvailability([
        { isDrop: false, ports: 8 },
        { isDrop: true, ports: 8, blockedPorts: [1, 2], occupiedPorts: [2, 3, 8] },
        { isDrop: true, ports: 4 },
      ]),
    ).toEqual({
      hasDropSplitter: true,
      freePorts: 4 + 4,
      // port 1 is blocked and unheld; port 2 is blocked but a client holds it
      blockedPorts: 1,
      vacantPorts: 0,
      blockedVacantPorts: 0,
    });
    expect(dropAvailability([{ isDrop: false, ports: 16 }])).toMatchObject({
      hasDropSplitter: false,
      freePorts: 0,
    });
    expect(dropAvailability([{ isDrop: true, ports: 2, occupiedPorts: [1, 2] }])).toMatchObject({
      hasDropSplitter: true,
      freePorts: 0,
    });
  });

  it('counts blocked and vacant-held ports apart, for the port policies', () => {
    const a = dropAvailability([
      {
        isDrop: true,
        ports: 8,
        blockedPorts: [1, 2, 3],
        occupiedPorts: [3, 4],
        vacantPorts: [2, 5, 6],
      },
    ]);
    // free: 7, 8; blocked only: 1; vacant only: 5, 6; blocked and vacant: 2; port 3 has a client
    expect(a).toEqual({
      hasDropSplitter: true,
      freePorts: 2,
      blockedPorts: 1,
      vacantPorts: 2,
      blockedVacantPorts: 1,
    });
    expect(offeredPorts(a, undefined)).toBe(2);
    expect(offeredPorts(a, { blockedAsFree: true })).toBe(3);
    expect(offeredPorts(a, { vacantAsFree: true })).toBe(4);
    expect(offeredPorts(a, { blockedAsFree: true, vacantAsFree: true })).toBe(6);
  });

  it('rejects port numbers outside the splitter', () => {
    expect(() => dropAvailability([{ isDrop: true, ports: 8, occupiedPorts: [9] }])).toThrow(
      /port must be an integer from 1 to 8, got 9/,
    );
    expect(() => dropAvailability([{ isDrop: true, ports: -1 }])).toThrow(/ports .* got -1/);
  });
});

describe('internals', () => {
  it('IdTable grows, deletes and re-adds', () => {
    const keys: string[] = [];
    const table = new IdTable(keys, 0);
    for (let i = 0; i < 1000; i++) {
      keys.push(`id-${i}`);
      expect(table.add(`id-${i}`, i)).toBe(true);
    }
    expect(table.add('id-5', 5)).toBe(false);
    for (let i = 0; i < 1000; i += 2) expect(table.delete(`id-${i}`)).toBe(true);
    expect(table.delete('id-0')).toBe(false);
    expect(table.size).toBe(500);
    for (let i = 0; i < 1000; i++) expect(table.get(`id-${i}`)).toBe(i % 2 ? i : undefined);
    keys.push('id-0');
    expect(table.add('id-0', 1000)).toBe(true);
    expect(table.get('id-0')).toBe(1000);
  });

  it('orderCandidates falls back to a comparator sort past its packed-key limit', () => {
    const dist = Float64Array.from([5, 1.004, 1, 3, 1.001]);
    const slots = Int32Array.from([0, 1, 2, 3, 4]);
    const names = ['e', 'c', 'b', 'd', 'a'];
    const expected = [4, 2, 1, 3, 0]; // 1.00 (a, b), 1.00 (c), 3, 5
    for (const bits of [22, 2]) {
      const order = new Int32Array(5);
      orderCandidates(5, dist, slots, names, new Float64Array(5), order, bits);
      expect([...order]).toEqual(expected);
    }
    // the packed-key path (more candidates than the insertion-sort cut-off) agrees too
    const n = 200;
    const many = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 50) / 10);
    const manySlots = Int32Array.from({ length: n }, (_, i) => i);
    const manyIds = Array.from({ length: n }, (_, i) => `id-${(i * 31) % n}`);
    const packed = new Int32Array(n);
    const compared = new Int32Array(n);
    orderCandidates(n, many, manySlots, manyIds, new Float64Array(n), packed);
    orderCandidates(n, many, manySlots, manyIds, new Float64Array(n), compared, 2);
    expect([...packed]).toEqual([...compared]);
    const key = (c: number) => [Math.round(many[c]! * 100), manyIds[c]!] as const;
    for (let k = 1; k < n; k++) {
      const [a, b] = [key(packed[k - 1]!), key(packed[k]!)];
      expect(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])).toBe(true);
    }
  });
});
