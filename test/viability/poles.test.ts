import { describe, expect, it } from 'vitest';
import {
  PoleGraph,
  ViabilityIndex,
  ViabilityInputError,
  haversineMeters,
  queryByPoles,
  type BoxInput,
  type PoleQuery,
} from '../../src/viability/index.js';
import { ValidationError } from '../../src/errors.js';

// Two streets on either side of a river (the Ribeirão Maringá, say), 120 m apart; the only
// crossing is a bridge 400 m east. Poles every ~40 m; the customer stands on the south street.
const STEP = 0.00039; // ~40 m of longitude here
const LAT_S = -23.43;
const LAT_N = LAT_S + 0.00108; // ~120 m north
const LNG0 = -51.95;
const south = Array.from({ length: 12 }, (_, i) => ({
  id: `s${i}`,
  lat: LAT_S,
  lng: LNG0 + i * STEP,
}));
const north = Array.from({ length: 12 }, (_, i) => ({
  id: `n${i}`,
  lat: LAT_N,
  lng: LNG0 + i * STEP,
}));
const chain = (poles: Array<{ id: string }>) =>
  poles.slice(1).map((p, i) => ({ from: poles[i]!.id, to: p.id }));
const SPANS = [...chain(south), ...chain(north), { from: 's10', to: 'n10' }]; // the bridge

const box = (id: string, lat: number, lng: number, extra: Partial<BoxInput> = {}): BoxInput => ({
  id,
  lat,
  lng,
  hasDropSplitter: true,
  freePorts: 4,
  ...extra,
});
const BOXES = [
  box('cto-across', LAT_N, LNG0), // on n0: 120 m straight, ~1 km by the bridge
  box('cto-south', LAT_S, LNG0 + 5 * STEP), // on s5: ~200 m along the street
  box('cto-full', LAT_S, LNG0 + 2 * STEP, { freePorts: 0 }), // on s2
];
const ON_POLES = [
  { id: 'cto-across', pole: 'n0' },
  { id: 'cto-south', pole: 's5' },
  { id: 'cto-full', pole: 's2' },
];
const CUSTOMER = { lat: LAT_S - 0.0002, lng: LNG0 }; // 22 m south of s0

function setup() {
  const index = ViabilityIndex.build(BOXES);
  const graph = PoleGraph.build({ poles: [...south, ...north], spans: SPANS, boxes: ON_POLES });
  const ask = (extra: Partial<PoleQuery> = {}) =>
    queryByPoles(index, graph, {
      ...CUSTOMER,
      accessDistance: 30, // only s0; see "starts from every pole within the access distance"
      maxDropLength: 500,
      radius: 300,
      routes: true,
      ...extra,
    });
  return { index, graph, ask };
}

describe('pole mode', () => {
  it('does not serve a house across the river from a box 120 m away', () => {
    const { ask } = setup();
    const straight = haversineMeters(CUSTOMER.lat, CUSTOMER.lng, LAT_N, LNG0);
    expect(straight).toBeGreaterThan(120);
    expect(straight).toBeLessThan(150);
    const result = ask();
    expect(result.boxes.map((b) => b.id)).toEqual(['cto-south']);
    expect(result.refused).toEqual([
      expect.objectContaining({ id: 'cto-full', reason: 'no_free_port' }),
      expect.objectContaining({
        id: 'cto-across',
        reason: 'route_too_long',
        routeLength: null,
        distance: result.refused[1]!.straightDistance,
      }),
    ]);
    // With a drop long enough for the bridge, it is reached the long way round.
    const long = ask({ maxDropLength: 1500 });
    const across = long.boxes.find((b) => b.id === 'cto-across')!;
    expect(across.distance).toBeGreaterThan(900);
    expect(across.route!.poles).toEqual([
      ...south.slice(0, 11).map((p) => p.id),
      ...north
        .slice(0, 11)
        .reverse()
        .map((p) => p.id),
    ]);
  });

  it('starts from every pole within the access distance, and takes the shortest drop', () => {
    const { ask } = setup();
    // s0 (22 m), s1 (~46 m) and s2 (~85 m) are all within 100 m: straight to s2 is shorter
    // than 22 m to s0 and 80 m more along the street.
    const wide = ask({ accessDistance: 100 });
    expect(wide.startPoles).toBe(3);
    const b = wide.boxes.find((x) => x.id === 'cto-south')!;
    expect(b.route!.poles).toEqual(['s2', 's3', 's4', 's5']);
    expect(b.distance).toBeLessThan(ask().boxes[0]!.distance);
  });

  it('reports the drop length, the straight line and the route', () => {
    const { ask } = setup();
    const [b] = ask().boxes;
    const access = Math.round(haversineMeters(CUSTOMER.lat, CUSTOMER.lng, LAT_S, LNG0) * 100);
    let spans = 0;
    for (let i = 0; i < 5; i++) {
      spans += Math.round(
        haversineMeters(south[i]!.lat, south[i]!.lng, south[i + 1]!.lat, south[i + 1]!.lng) * 100,
      );
    }
    expect(b).toMatchObject({
      id: 'cto-south',
      distance: (access + spans) / 100,
      freePorts: 4,
      pole: 's5',
    });
    expect(b!.straightDistance).toBeLessThan(b!.distance);
    expect(b!.route!.poles).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    expect(b!.route!.coordinates[0]).toEqual([LNG0, LAT_S]);
  });

  it('answers "no route" when no pole is within the access distance', () => {
    const { ask } = setup();
    const far = ask({ lat: LAT_S - 0.003 }); // ~330 m south of every pole
    expect(far.startPoles).toBe(0);
    expect(far.boxes).toEqual([]);
    const tight = ask({ accessDistance: 10 });
    expect(tight.startPoles).toBe(0);
    expect(tight.boxes).toEqual([]);
    // Everything in the radius is listed, nearest first, with the rule it fails.
    expect(tight.refused.map((r) => [r.id, r.reason])).toEqual([
      ['cto-full', 'no_free_port'],
      ['cto-across', 'route_too_long'],
      ['cto-south', 'route_too_long'],
    ]);
  });

  it('a drop limit of 0 serves only a box on the very pole the customer stands at', () => {
    const { ask } = setup();
    expect(ask({ maxDropLength: 0 }).boxes).toEqual([]);
    const at = ask({ lat: LAT_S, lng: LNG0 + 5 * STEP, maxDropLength: 0 });
    expect(at.boxes.map((b) => [b.id, b.distance])).toEqual([['cto-south', 0]]);
    expect(ask({ capDropLength: 100 }).boxes).toEqual([]);
  });

  it("a box's own limit (its project's maximum drop) wins over the default", () => {
    const index = ViabilityIndex.build(BOXES);
    const graph = PoleGraph.build({
      poles: [...south, ...north],
      spans: SPANS,
      boxes: [{ id: 'cto-south', pole: 's5', maxDrop: 150 }],
    });
    const q = { ...CUSTOMER, accessDistance: 30, maxDropLength: 500, radius: 300 };
    expect(queryByPoles(index, graph, q).boxes).toEqual([]);
    expect(queryByPoles(index, graph, { ...q, maxDropLength: 100 }).boxes.map((b) => b.id)).toEqual(
      [],
    );
    const roomy = PoleGraph.build({
      poles: [...south, ...north],
      spans: SPANS,
      boxes: [{ id: 'cto-south', pole: 's5', maxDrop: 400 }],
    });
    // Its project allows 400 m although the default is 100 m; a caller's cap still applies.
    expect(queryByPoles(index, roomy, { ...q, maxDropLength: 100 }).boxes.map((b) => b.id)).toEqual(
      ['cto-south'],
    );
    expect(queryByPoles(index, roomy, { ...q, capDropLength: 150 }).boxes).toEqual([]);
  });

  it('poles without spans, cycles and parallel spans give a clear answer', () => {
    const index = ViabilityIndex.build(BOXES);
    const lonely = PoleGraph.build({ poles: south, boxes: [{ id: 'cto-south', pole: 's5' }] });
    const q = { ...CUSTOMER, accessDistance: 100, maxDropLength: 500, radius: 300 };
    expect(queryByPoles(index, lonely, q).boxes).toEqual([]);
    expect(queryByPoles(index, lonely, q).startPoles).toBe(3);
    // cto-full's pole is within the access distance; the others have no span to reach them by.
    expect(queryByPoles(index, lonely, q).refused.map((r) => [r.id, r.reason])).toEqual([
      ['cto-full', 'no_free_port'],
      ['cto-across', 'route_too_long'],
      ['cto-south', 'route_too_long'],
    ]);
    // A ring of spans plus a parallel, shorter span s0-s1 and a loop: the shorter one counts.
    const ring = PoleGraph.build({
      poles: south,
      spans: [
        ...chain(south),
        { from: 's11', to: 's0' },
        { from: 's0', to: 's1', length: 1 },
        { from: 's3', to: 's3', length: 5 },
      ],
      boxes: [{ id: 'cto-south', pole: 's5' }],
    });
    expect(ring.spanCount).toBe(13);
    const near = { ...q, accessDistance: 30, routes: true };
    const [b] = queryByPoles(index, ring, near).boxes;
    expect(b!.route!.poles).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    const plain = queryByPoles(index, setup().graph, near).boxes[0]!;
    const s01 = Math.round(haversineMeters(LAT_S, LNG0, LAT_S, LNG0 + STEP) * 100) / 100;
    expect(b!.distance).toBeCloseTo(plain.distance - s01 + 1, 2);
  });

  it('sees a moved pole, new spans and a box moved to another pole at once', () => {
    const { graph, ask } = setup();
    // Move n0 onto the south street: its auto-length span to n1 follows, but n0 is now near.
    graph.upsertPole({ id: 'n0', lat: LAT_S, lng: LNG0 - STEP / 2 });
    expect(ask().boxes.map((b) => b.id)).toEqual(['cto-across', 'cto-south']);
    expect(graph.spansOf('n0')[0]!.length).toBeGreaterThan(120);
    // A new footbridge straight across the river from s0 to the (moved back) n0.
    graph.upsertPole({ id: 'n0', lat: LAT_N, lng: LNG0 });
    graph.replaceSpans(['s0'], [...SPANS.filter((s) => s.from === 's0'), { from: 's0', to: 'n0' }]);
    const bridged = ask();
    expect(bridged.boxes.map((b) => b.id)).toEqual(['cto-across', 'cto-south']);
    expect(bridged.boxes[0]!.route!.poles).toEqual(['s0', 'n0']);
    // The box moves to a pole the route cannot reach in time.
    graph.setBoxes('n0', []);
    graph.setBoxes('n11', [{ id: 'cto-across' }]);
    expect(ask().boxes.map((b) => b.id)).toEqual(['cto-south']);
    expect(graph.rebuild().boxesOn('n11')).toEqual(['cto-across']);
    expect(graph.removePole('s1')).toBe(true);
    expect(ask().boxes.map((b) => b.id)).toEqual([]); // s0 is cut off from s5 now
  });

  it('rejects bad input with a message naming the field', () => {
    const { ask } = setup();
    for (const [field, value] of [
      ['accessDistance', NaN],
      ['accessDistance', -1],
      ['maxDropLength', Infinity],
      ['maxDropLength', 2e6],
      ['capDropLength', -5],
    ] as const) {
      expect(() => ask({ [field]: value }), field).toThrow(ValidationError);
      expect(() => ask({ [field]: value }), field).toThrow(new RegExp(field));
    }
    expect(() => ask({ lat: 91 })).toThrow(/lat/);
    expect(() => ask({ radius: -1 })).toThrow(/radius/);
    const poles = [...south];
    expect(() => PoleGraph.build({ poles: [...poles, poles[0]!] })).toThrow(/s0.*more than once/);
    expect(() => PoleGraph.build({ poles, spans: [{ from: 's0', to: 'x' }] })).toThrow(
      /spans\[0\]: unknown pole "x"/,
    );
    expect(() => PoleGraph.build({ poles, spans: [{ from: 's0', to: 's1', length: -3 }] })).toThrow(
      /length must be a number of metres/,
    );
    expect(() =>
      PoleGraph.build({
        poles,
        boxes: [
          { id: 'b', pole: 's0' },
          { id: 'b', pole: 's1' },
        ],
      }),
    ).toThrow(/box b is on more than one pole/);
    expect(() => PoleGraph.build({ poles: [{ id: 'p', lat: 0, lng: 200 }] })).toThrow(
      ViabilityInputError,
    );
  });
});
