import { describe, expect, it } from 'vitest';
import {
  PoleGraph,
  ViabilityIndex,
  compileRegion,
  haversineMeters,
  queryByPoles,
  type PoleQuery,
  type PoleResult,
  type RegionInput,
} from '../../src/viability/index.js';
import { random } from './oracle.js';
import {
  bruteForcePoles,
  spanCm,
  type OracleAnswer,
  type OraclePole,
  type OraclePoleBox,
  type OracleSpan,
} from './pole-oracle.js';

// Three towns far enough apart that their pole networks are disconnected parts.
const TOWNS: Array<[number, number]> = [
  [-23.4253, -51.9386], // Maringá
  [-23.31, -51.16], // Londrina
  [-25.0916, -50.1668], // Ponta Grossa
];
const STEP = 0.00036; // ~40 m

function randomNetwork(seed: number, perTown: number) {
  const rnd = random(seed);
  const poles: OraclePole[] = [];
  const spans: OracleSpan[] = [];
  const side = Math.ceil(Math.sqrt(perTown));
  TOWNS.forEach(([lat0, lng0], t) => {
    const grid: Array<Array<OraclePole | undefined>> = [];
    for (let r = 0; r < side; r++) {
      grid.push([]);
      for (let c = 0; c < side; c++) {
        if (rnd() < 0.08) {
          grid[r]!.push(undefined); // a gap in the grid
          continue;
        }
        const jitter = () => (rnd() - 0.5) * STEP * 0.3;
        const pole = {
          id: `p${t}-${r}-${c}`,
          lat: lat0 + r * STEP + jitter(),
          lng: lng0 + c * STEP + jitter(),
        };
        poles.push(pole);
        grid[r]!.push(pole);
        // Some poles share a position with the previous one (ties at the access step).
        if (rnd() < 0.02) poles.push({ id: `${pole.id}-twin`, lat: pole.lat, lng: pole.lng });
      }
    }
    const length = () => {
      const roll = rnd();
      if (roll < 0.45) return null; // follows the poles
      if (roll < 0.8) return Math.round(30 + rnd() * 20); // whole metres: many equal sums
      return Math.round(rnd() * 9000) / 100; // anything, even shorter than the straight line
    };
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const a = grid[r]![c];
        if (!a) continue;
        for (const [dr, dc] of [
          [0, 1],
          [1, 0],
          [1, 1],
        ] as const) {
          const b = grid[r + dr]?.[c + dc];
          if (!b || (dr + dc === 2 && rnd() < 0.85) || rnd() < 0.1) continue;
          spans.push({ from: a.id, to: b.id, length: length() });
          if (rnd() < 0.05) spans.push({ from: b.id, to: a.id, length: length() }); // parallel
        }
        if (rnd() < 0.01) spans.push({ from: a.id, to: a.id, length: 10 }); // a loop: ignored
      }
    }
  });
  const boxes: OraclePoleBox[] = [];
  let n = 0;
  for (const pole of poles) {
    const count = rnd() < 0.45 ? 0 : rnd() < 0.8 ? 1 : 2;
    for (let k = 0; k < count; k++) boxes.push(randomBox(rnd, n++, pole));
  }
  // Boxes on no pole: reached by no route, listed when near.
  for (let k = 0; k < 40; k++) {
    const pole = poles[Math.floor(rnd() * poles.length)]!;
    boxes.push({ ...randomBox(rnd, n++, pole), pole: undefined });
  }
  const tags = ['fibra-300', 'fibra-600'];
  const regions: RegionInput[] = TOWNS.map(([lat, lng], t) => ({
    id: `region-${t}`,
    tags: tags.filter(() => rnd() < 0.6),
    polygon: {
      type: 'Polygon',
      coordinates: [
        [
          [lng, lat],
          [lng + side * STEP * 0.6, lat],
          [lng + side * STEP * 0.6, lat + side * STEP * 0.7],
          [lng, lat + side * STEP * 0.7],
          [lng, lat],
        ],
      ],
    },
  }));
  const query = (): PoleQuery => {
    const [lat0, lng0] = TOWNS[Math.floor(rnd() * TOWNS.length)]!;
    const roll = rnd();
    return {
      lat: lat0 + (rnd() * 1.2 - 0.1) * side * STEP,
      lng: lng0 + (rnd() * 1.2 - 0.1) * side * STEP,
      accessDistance: roll < 0.05 ? 0 : rnd() < 0.7 ? 100 : rnd() * 200,
      maxDropLength: roll < 0.1 ? 0 : rnd() < 0.6 ? 500 : rnd() * 900,
      ...(rnd() < 0.2 ? { capDropLength: rnd() * 400 } : {}),
      radius: rnd() < 0.1 ? 0 : rnd() * 500,
      ...(rnd() < 0.3 ? { tags: tags.filter(() => rnd() < 0.5) } : {}),
      ...(rnd() < 0.3 ? { maxBoxes: Math.floor(rnd() * 8) } : {}),
      ...(rnd() < 0.2 ? { maxRefused: Math.floor(rnd() * 8) } : {}),
      ...(rnd() < 0.3 ? { ports: { blockedAsFree: rnd() < 0.5, vacantAsFree: rnd() < 0.5 } } : {}),
      routes: true,
    };
  };
  return { rnd, poles, spans, boxes, regions, query, side };
}

function randomBox(rnd: () => number, n: number, pole: OraclePole): OraclePoleBox {
  const limit = rnd();
  return {
    id: `box-${n.toString().padStart(5, '0')}`,
    lat: pole.lat + (rnd() - 0.5) * 0.00004,
    lng: pole.lng + (rnd() - 0.5) * 0.00004,
    draft: rnd() < 0.08,
    hasDropSplitter: rnd() < 0.9,
    freePorts: rnd() < 0.25 ? 0 : Math.floor(rnd() * 8),
    ...(rnd() < 0.2 ? { blockedPorts: 1, vacantPorts: Math.floor(rnd() * 2) } : {}),
    pole: pole.id,
    maxDrop: limit < 0.15 ? 150 : limit < 0.25 ? 320.5 : null,
  };
}

function graphInput(poles: OraclePole[], spans: OracleSpan[], boxes: OraclePoleBox[]) {
  return {
    poles,
    spans,
    boxes: boxes
      .filter((b) => b.pole !== undefined)
      .map((b) => ({ id: b.id, pole: b.pole!, maxDrop: b.maxDrop })),
  };
}

/** The core's answer without routes, and each route checked against the oracle's model. */
function checked(
  result: PoleResult,
  oracle: OracleAnswer,
  poles: Map<string, OraclePole>,
  spans: readonly OracleSpan[],
  q: PoleQuery,
) {
  const shortest = new Map<string, number>();
  for (const s of spans) {
    if (s.from === s.to) continue;
    const cm = spanCm(s, poles);
    for (const key of [`${s.from}|${s.to}`, `${s.to}|${s.from}`]) {
      shortest.set(key, Math.min(shortest.get(key) ?? Infinity, cm));
    }
  }
  for (const box of result.boxes) {
    const route = box.route!;
    expect(route.poles.at(-1), box.id).toBe(box.pole);
    const first = route.poles[0]!;
    const p0 = poles.get(first)!;
    expect(haversineMeters(q.lat, q.lng, p0.lat, p0.lng)).toBeLessThanOrEqual(q.accessDistance);
    let cm = oracle.startCm.get(first)!;
    for (let i = 1; i < route.poles.length; i++) {
      const step = shortest.get(`${route.poles[i - 1]}|${route.poles[i]}`);
      expect(step, `${box.id}: no span ${route.poles[i - 1]}-${route.poles[i]}`).toBeDefined();
      cm += step!;
    }
    // Any shortest route will do when several tie; its length must be the box's distance.
    expect(cm / 100, box.id).toBe(box.distance);
    expect(route.coordinates).toEqual(
      route.poles.map((id) => [poles.get(id)!.lng, poles.get(id)!.lat]),
    );
  }
  // The totals before the limits: exact whenever refusals are wanted (the search then runs to
  // its bound); without them it stops early and counts less.
  if (q.maxRefused !== 0) {
    expect(result.viableTotal).toBe(oracle.viableTotal);
    expect(result.refusedTotal).toBe(oracle.refusedTotal);
  } else {
    expect(result.viableTotal).toBeLessThanOrEqual(oracle.viableTotal);
  }
  return {
    boxes: result.boxes.map(({ route: _route, ...rest }) => rest),
    refused: result.refused,
    startPoles: result.startPoles,
  };
}

const expected = (o: OracleAnswer) => ({
  boxes: o.boxes,
  refused: o.refused,
  startPoles: o.startPoles,
});

describe('pole-mode viability against a brute-force Dijkstra', () => {
  it('agrees on boxes, order, drop lengths, refusals and routes on random networks', () => {
    const world = randomNetwork(11, 260);
    const index = ViabilityIndex.build(world.boxes, { regions: world.regions });
    const graph = PoleGraph.build(graphInput(world.poles, world.spans, world.boxes), {
      nodeSize: 8,
    });
    const compiled = world.regions.map(compileRegion);
    const poles = new Map(world.poles.map((p) => [p.id, p]));
    let viable = 0;
    let tooLong = 0;
    let ties = 0;
    for (let i = 0; i < 300; i++) {
      const q = world.query();
      const oracle = bruteForcePoles(world.poles, world.spans, world.boxes, compiled, q);
      const result = queryByPoles(index, graph, q);
      expect(checked(result, oracle, poles, world.spans, q), JSON.stringify(q)).toEqual(
        expected(oracle),
      );
      viable += oracle.boxes.length;
      tooLong += oracle.refused.filter((r) => r.reason === 'route_too_long').length;
      const lengths = oracle.boxes.map((b) => b.distance);
      ties += lengths.length - new Set(lengths).size;
    }
    // The queries exercised what they are meant to.
    expect(viable).toBeGreaterThan(1000);
    expect(tooLong).toBeGreaterThan(200);
    expect(ties).toBeGreaterThan(20);
  });

  it('stays exact through moved, added and removed poles, new spans and boxes changing poles', () => {
    const world = randomNetwork(12, 160);
    let index = ViabilityIndex.build(world.boxes, { regions: world.regions });
    let graph = PoleGraph.build(graphInput(world.poles, world.spans, world.boxes));
    const compiled = world.regions.map(compileRegion);
    const rnd = world.rnd;
    let poles = [...world.poles];
    let spans = [...world.spans];
    const boxes = new Map(world.boxes.map((b) => [b.id, { ...b }]));
    const boxesOn = (pole: string) =>
      [...boxes.values()]
        .filter((b) => b.pole === pole)
        .map((b) => ({ id: b.id, maxDrop: b.maxDrop }));
    const touching = (ids: Set<string>) => spans.filter((s) => ids.has(s.from) || ids.has(s.to));
    const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
    let added = 0;
    for (let round = 0; round < 30; round++) {
      for (let k = 0; k < 25; k++) {
        const roll = rnd();
        const pole = pick(poles);
        if (roll < 0.2) {
          // a pole moved (its auto-length spans follow it)
          const moved = {
            ...pole,
            lat: pole.lat + (rnd() - 0.5) * STEP,
            lng: pole.lng + (rnd() - 0.5) * STEP,
          };
          poles = poles.map((p) => (p.id === pole.id ? moved : p));
          graph.upsertPole(moved);
        } else if (roll < 0.35) {
          // its spans redrawn: some dropped, some new ones to nearby poles
          const near = poles.filter(
            (p) => p.id !== pole.id && haversineMeters(p.lat, p.lng, pole.lat, pole.lng) < 90,
          );
          spans = spans.filter((s) => (s.from !== pole.id && s.to !== pole.id) || rnd() < 0.5);
          for (let j = 0; j < 2 && near.length; j++) {
            spans.push({ from: pole.id, to: pick(near).id, length: rnd() < 0.5 ? null : 35 });
          }
          graph.replaceSpans([pole.id], touching(new Set([pole.id])));
        } else if (roll < 0.42) {
          // a pole removed: its spans go, its boxes hang on nothing
          poles = poles.filter((p) => p.id !== pole.id);
          spans = spans.filter((s) => s.from !== pole.id && s.to !== pole.id);
          for (const b of boxes.values()) if (b.pole === pole.id) b.pole = undefined;
          expect(graph.removePole(pole.id)).toBe(true);
        } else if (roll < 0.5) {
          // a new pole, spanned to its neighbours, with a new box
          const fresh = {
            id: `new-${added++}`,
            lat: pole.lat + STEP / 2,
            lng: pole.lng + STEP / 2,
          };
          poles.push(fresh);
          graph.upsertPole(fresh);
          const near = poles.filter(
            (p) => p.id !== fresh.id && haversineMeters(p.lat, p.lng, fresh.lat, fresh.lng) < 60,
          );
          for (const p of near) spans.push({ from: p.id, to: fresh.id, length: null });
          graph.replaceSpans([fresh.id], touching(new Set([fresh.id])));
          const box = { ...randomBox(rnd, 90_000 + added, fresh), id: `new-box-${added}` };
          boxes.set(box.id, box);
          index.upsertBox(box);
          graph.setBoxes(fresh.id, boxesOn(fresh.id));
        } else if (roll < 0.65) {
          // a box moved to another pole (and its drop limit changed)
          const box = pick([...boxes.values()]);
          const from = box.pole;
          box.pole = pole.id;
          box.maxDrop = rnd() < 0.3 ? 200 : null;
          if (from) graph.setBoxes(from, boxesOn(from));
          graph.setBoxes(pole.id, boxesOn(pole.id));
        } else {
          // availability changed (a reservation, a port freed, a box built)
          const box = pick([...boxes.values()]);
          box.freePorts = Math.floor(rnd() * 3);
          box.draft = rnd() < 0.1;
          index.upsertBox(box);
        }
      }
      if (round % 10 === 9) {
        graph = graph.rebuild();
        index = index.rebuild();
        expect(graph.overlaySize).toBe(0);
      }
      const poleMap = new Map(poles.map((p) => [p.id, p]));
      for (let i = 0; i < 12; i++) {
        const q = world.query();
        const list = [...boxes.values()];
        const oracle = bruteForcePoles(poles, spans, list, compiled, q);
        expect(
          checked(queryByPoles(index, graph, q), oracle, poleMap, spans, q),
          JSON.stringify(q),
        ).toEqual(expected(oracle));
      }
    }
    expect(graph.size).toBe(poles.length);
    expect(graph.spanCount).toBe(spans.filter((s) => s.from !== s.to).length);
  });
});
