// The demo network's cable spans: every pole reachable along them, lengths a cable could have,
// and pole-mode viability answering for the demo's own customers' homes, so the mode can be
// tried as soon as the demo is seeded.
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemoNetwork, seedDemoNetwork } from '../../src/ozmap-model/demo-network.js';
import { generateScaledNetwork } from '../../src/ozmap-model/demo-network/scaled.js';
import { seedScaledNetwork } from '../../src/ozmap-model/demo-network/seed-scaled.js';
import {
  PoleGraph,
  ViabilityIndex,
  dropAvailability,
  haversineMeters,
  queryByPoles,
  type SplitterPorts,
} from '../../src/viability/index.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';

const net = generateDemoNetwork(11);

describe('demo network spans', () => {
  it('join every pole into one network, each span no shorter than the line between its poles', () => {
    const poles = new Map(net.poles.map((p) => [p.id, p]));
    expect(net.spans.length).toBeGreaterThan(net.poles.length);
    const adjacent = new Map<string, string[]>();
    for (const s of net.spans) {
      const [a, b] = [poles.get(s.poleAId)!, poles.get(s.poleBId)!];
      expect(a && b && a !== b).toBe(true);
      const straight = haversineMeters(a.lat, a.lng, b.lat, b.lng);
      expect(straight).toBeLessThan(400); // neighbours, not across town
      if (s.length !== null) expect(s.length).toBeGreaterThanOrEqual(straight);
      adjacent.set(a.id, [...(adjacent.get(a.id) ?? []), b.id]);
      adjacent.set(b.id, [...(adjacent.get(b.id) ?? []), a.id]);
    }
    const seen = new Set([net.poles[0]!.id]);
    const queue = [net.poles[0]!.id];
    while (queue.length)
      for (const n of adjacent.get(queue.pop()!) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    expect(seen.size).toBe(net.poles.length);
    // Same seed, same spans (ids and all).
    expect(generateDemoNetwork(11).spans).toEqual(net.spans);
  });

  it('serve the demo customers in pole mode with the default 100 m access and 500 m drop', () => {
    const splitters = new Map<string, SplitterPorts[]>();
    const ports = new Map<string, { blocked: number[]; held: number[] }>();
    for (const p of net.ports) {
      const e = ports.get(p.splitterId) ?? { blocked: [], held: [] };
      if (p.blocked) e.blocked.push(p.index);
      ports.set(p.splitterId, e);
    }
    for (const p of net.properties) {
      // A port row exists only for a blocked port: a held one may have none.
      const e = ports.get(p.splitterId) ?? { blocked: [], held: [] };
      e.held.push(p.port);
      ports.set(p.splitterId, e);
    }
    for (const s of net.splitters) {
      const e = ports.get(s.id);
      const list = splitters.get(s.boxId) ?? [];
      list.push({
        isDrop: s.isDrop,
        ports: s.ratioOut,
        blockedPorts: e?.blocked ?? [],
        occupiedPorts: e?.held ?? [],
      });
      splitters.set(s.boxId, list);
    }
    const index = ViabilityIndex.build(
      net.boxes.map((b) => ({
        id: b.id,
        lat: b.lat,
        lng: b.lng,
        draft: b.draft,
        ...dropAvailability(splitters.get(b.id) ?? []),
      })),
    );
    const graph = PoleGraph.build({
      poles: net.poles,
      spans: net.spans.map((s) => ({ from: s.poleAId, to: s.poleBId, length: s.length })),
      boxes: net.boxes.map((b) => ({ id: b.id, pole: b.poleId })),
    });
    let viable = 0;
    let longer = 0;
    for (const home of net.properties) {
      const r = queryByPoles(index, graph, {
        lat: home.lat,
        lng: home.lng,
        accessDistance: 100,
        maxDropLength: 500,
        radius: 500,
        maxBoxes: 5,
        maxRefused: 0,
        routes: true,
      });
      expect(r.startPoles).toBeGreaterThan(0); // every home has a pole within 100 m
      if (r.boxes.length) viable++;
      for (const b of r.boxes) {
        // (routes add whole centimetres edge by edge: a straight one may read 1 cm short)
        expect(b.distance).toBeGreaterThanOrEqual(b.straightDistance - 0.02);
        if (b.distance > b.straightDistance + 1) longer++;
        expect(b.route!.poles.at(-1)).toBe(b.pole);
      }
    }
    expect(viable / net.properties.length).toBeGreaterThan(0.95);
    expect(longer).toBeGreaterThan(0); // routes follow the streets, not the straight line
  });
});

describe('seeded demo network', () => {
  let database: TestDatabase;
  afterAll(async () => database?.drop());

  it('writes the spans with the poles', { timeout: 120_000 }, async () => {
    database = await freshDatabase('sqlite');
    await seedDemoNetwork(database.db, 11);
    expect(await database.db.span.count()).toBe(net.spans.length);
    const s = net.spans.find((x) => x.length !== null)!;
    expect(await database.db.span.findUnique({ where: { id: s.id } })).toMatchObject({
      poleAId: s.poleAId,
      poleBId: s.poleBId,
      length: s.length,
    });
  });
});

describe('scaled demo network spans', () => {
  let database: TestDatabase;
  afterAll(async () => database?.drop());

  it('join the poles of each city, and are seeded with them', { timeout: 120_000 }, async () => {
    // Two cities (40 000 boxes fill one), as `seed-demo --boxes` spreads a large network.
    const scaled = generateScaledNetwork(5, 45_000);
    const poles = new Map<string, { lat: number; lng: number }>();
    const spans: Array<{ poleAId: string; poleBId: string; length: number | null }> = [];
    for (const rows of scaled.rows()) {
      for (const p of rows.poles) poles.set(p.id, p);
      spans.push(...rows.spans);
    }
    expect(spans.length).toBeGreaterThan(poles.size);
    const touched = new Set<string>();
    for (const s of spans) {
      const [a, b] = [poles.get(s.poleAId), poles.get(s.poleBId)];
      expect(a && b).toBeTruthy(); // every span between poles of the network, written before it
      const straight = haversineMeters(a!.lat, a!.lng, b!.lat, b!.lng);
      expect(straight).toBeLessThan(400);
      if (s.length !== null) expect(s.length).toBeGreaterThanOrEqual(straight);
      touched.add(s.poleAId).add(s.poleBId);
    }
    expect(touched.size).toBe(poles.size);

    database = await freshDatabase('sqlite');
    await seedScaledNetwork(database.db, 5, 3_000);
    let expected = 0;
    for (const rows of generateScaledNetwork(5, 3_000).rows()) expected += rows.spans.length;
    expect(expected).toBeGreaterThan(3_000);
    expect(await database.db.span.count()).toBe(expected);
  });
});
