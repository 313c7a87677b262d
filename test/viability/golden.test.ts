import { describe, expect, it } from 'vitest';
import { ViabilityIndex, haversineMeters } from '../../src/viability/index.js';
import { JARDINS_PLAN, MASP, PAULISTA_BOXES, PAULISTA_PLAN } from './fixture.js';

const index = ViabilityIndex.build(PAULISTA_BOXES, { regions: [PAULISTA_PLAN, JARDINS_PLAN] });

describe('viability on Avenida Paulista', () => {
  it('lists the viable boxes nearest first with free ports, and why the others were refused', () => {
    expect(index.query({ ...MASP, radius: 350 })).toEqual({
      boxes: [
        { id: 'cto-masp', distance: 21.59, freePorts: 5 },
        { id: 'cto-trianon', distance: 135.76, freePorts: 2 },
        { id: 'cto-peixoto-gomide', distance: 335.36, freePorts: 8 },
      ],
      refused: [
        { id: 'cto-pamplona', distance: 271.09, reason: 'no_free_port' },
        { id: 'cto-haddock-lobo', distance: 296.06, reason: 'draft' },
        { id: 'cto-frei-caneca', distance: 331.28, reason: 'no_drop_splitter' },
      ],
    });
  });

  it('grows the answer with the radius and caps it with maxBoxes and maxRefused', () => {
    expect(index.query({ ...MASP, radius: 100 }).boxes.map((b) => b.id)).toEqual(['cto-masp']);
    expect(index.query({ ...MASP, radius: 2000 }).boxes.map((b) => b.id)).toEqual([
      'cto-masp',
      'cto-trianon',
      'cto-peixoto-gomide',
      'cto-consolacao',
      'cto-paraiso',
    ]);
    const capped = index.query({ ...MASP, radius: 2000, maxBoxes: 2, maxRefused: 1 });
    expect(capped.boxes.map((b) => b.id)).toEqual(['cto-masp', 'cto-trianon']);
    expect(capped.refused.map((b) => b.id)).toEqual(['cto-pamplona']);
    expect(index.query({ ...MASP, radius: 2000, maxBoxes: 0 }).boxes).toEqual([]);
  });

  it('keeps only boxes inside a region with a requested tag, honouring holes', () => {
    const paulista = index.query({ ...MASP, radius: 350, tags: ['plano-paulista'] });
    expect(paulista.boxes.map((b) => b.id)).toEqual(['cto-masp', 'cto-peixoto-gomide']);
    expect(paulista.refused).toContainEqual({
      id: 'cto-trianon',
      distance: 135.76,
      reason: 'outside_region',
    });
  });

  it('matches any polygon of a MultiPolygon, and any of several tags', () => {
    const jardins = index.query({ ...MASP, radius: 900, tags: ['empresarial'] });
    expect(jardins.boxes.map((b) => b.id)).toEqual(['cto-trianon', 'cto-consolacao']);
    const either = index.query({ ...MASP, radius: 900, tags: ['plano-jardins', 'plano-paulista'] });
    expect(either.boxes.map((b) => b.id)).toEqual([
      'cto-masp',
      'cto-trianon',
      'cto-peixoto-gomide',
      'cto-consolacao',
    ]);
    const unknown = index.query({ ...MASP, radius: 900, tags: ['no-such-tag'] });
    expect(unknown.boxes).toEqual([]);
    expect(unknown.refused.filter((r) => r.reason === 'outside_region')).toHaveLength(4);
  });

  it('treats an empty tag list as no region rule', () => {
    expect(index.query({ ...MASP, radius: 350, tags: [] })).toEqual(
      index.query({ ...MASP, radius: 350 }),
    );
  });
});

describe('haversineMeters', () => {
  // Independent check: chord length between unit vectors, then the arc.
  const arc = (lat1: number, lng1: number, lat2: number, lng2: number) => {
    const v = (lat: number, lng: number) => {
      const [p, l] = [(lat * Math.PI) / 180, (lng * Math.PI) / 180];
      return [Math.cos(p) * Math.cos(l), Math.cos(p) * Math.sin(l), Math.sin(p)];
    };
    const [a, b] = [v(lat1, lng1), v(lat2, lng2)];
    const chord = Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
    return 2 * 6371008.8 * Math.asin(chord / 2);
  };

  it('agrees with the chord formula from metres to thousands of kilometres', () => {
    const pairs: Array<[number, number, number, number]> = [
      [MASP.lat, MASP.lng, -23.5714, -46.6447],
      [-23.5505, -46.6333, -22.9068, -43.1729], // São Paulo – Rio
      [-3.7319, -38.5267, -30.0346, -51.2177], // Fortaleza – Porto Alegre
      [0, 179.9999, 0, -179.9999], // across the antimeridian
      [89.9999, 0, 89.9999, 180], // across the north pole
    ];
    for (const [a, b, c, d] of pairs) {
      expect(haversineMeters(a, b, c, d)).toBeCloseTo(arc(a, b, c, d), 4);
    }
    // São Paulo – Rio is about 361 km in a straight line.
    expect(haversineMeters(-23.5505, -46.6333, -22.9068, -43.1729)).toBeCloseTo(360_749, -3);
  });
});
