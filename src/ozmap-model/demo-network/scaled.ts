import { createHash } from 'node:crypto';
import { catalogue, type Catalogue } from './catalogue.js';
import {
  addBox,
  emptyRows,
  personName,
  streetSpots,
  type Counters,
  type DemoRows,
  type Place,
  type Spot,
  type StreetGrid,
} from './generate.js';
import { CITY, EAST_WEST_STREETS, NORTH_SOUTH_STREETS, SURNAMES } from './maringa.js';
import { Random } from './prng.js';
import { demoSpans } from './spans.js';
import type { DemoNetwork, DemoRegion } from './types.js';

// The demo network at any size: the same rules as the Maringá demo (boxes on poles every 60–120 m
// along streets 400 m apart, the same mix of drafts, full boxes, splitters, blocked ports and
// customers), laid over as many cities of northern Paraná and São Paulo as the size needs, one
// project per city. Deterministic from the seed; rows are produced box by box so a million boxes
// never sit in memory at once.

interface CitySpec {
  name: string;
  state: string;
  code: string;
  lat: number;
  lng: number;
}

// prettier-ignore
const CITIES: readonly CitySpec[] = [
  { name: CITY.name, state: CITY.state, code: CITY.code, lat: CITY.centre.lat, lng: CITY.centre.lng },
  { name: 'Londrina', state: 'PR', code: 'LDA', lat: -23.3045, lng: -51.1696 },
  { name: 'Apucarana', state: 'PR', code: 'APU', lat: -23.5508, lng: -51.4608 },
  { name: 'Arapongas', state: 'PR', code: 'ARA', lat: -23.4153, lng: -51.4259 },
  { name: 'Cianorte', state: 'PR', code: 'CIA', lat: -23.6599, lng: -52.6054 },
  { name: 'Umuarama', state: 'PR', code: 'UMU', lat: -23.7656, lng: -53.3201 },
  { name: 'Paranavaí', state: 'PR', code: 'PVI', lat: -23.0816, lng: -52.4617 },
  { name: 'Campo Mourão', state: 'PR', code: 'CMO', lat: -24.0463, lng: -52.378 },
  { name: 'Cascavel', state: 'PR', code: 'CAC', lat: -24.9555, lng: -53.4552 },
  { name: 'Toledo', state: 'PR', code: 'TOO', lat: -24.7246, lng: -53.7412 },
  { name: 'Foz do Iguaçu', state: 'PR', code: 'FOZ', lat: -25.5469, lng: -54.5882 },
  { name: 'Ponta Grossa', state: 'PR', code: 'PGZ', lat: -25.0916, lng: -50.1668 },
  { name: 'Guarapuava', state: 'PR', code: 'GPV', lat: -25.3935, lng: -51.4562 },
  { name: 'Curitiba', state: 'PR', code: 'CWB', lat: -25.4284, lng: -49.2733 },
  { name: 'Presidente Prudente', state: 'SP', code: 'PPB', lat: -22.1207, lng: -51.3925 },
  { name: 'Marília', state: 'SP', code: 'MII', lat: -22.2171, lng: -49.9501 },
  { name: 'Bauru', state: 'SP', code: 'BAU', lat: -22.3246, lng: -49.0871 },
  { name: 'Ourinhos', state: 'SP', code: 'OUR', lat: -22.9797, lng: -49.8697 },
  { name: 'Assis', state: 'SP', code: 'AIF', lat: -22.6619, lng: -50.4121 },
  { name: 'Araçatuba', state: 'SP', code: 'ARU', lat: -21.2076, lng: -50.4401 },
  { name: 'São José do Rio Preto', state: 'SP', code: 'SJP', lat: -20.8113, lng: -49.3758 },
  { name: 'Ribeirão Preto', state: 'SP', code: 'RAO', lat: -21.1704, lng: -47.8103 },
  { name: 'Campinas', state: 'SP', code: 'CPQ', lat: -22.9099, lng: -47.0626 },
  { name: 'Sorocaba', state: 'SP', code: 'SOD', lat: -23.5015, lng: -47.4526 },
  { name: 'São Paulo', state: 'SP', code: 'SAO', lat: -23.5505, lng: -46.6333 },
];

/** Boxes a city gets before the network spills into the next one. */
export const BOXES_PER_CITY = 40_000;
/** The largest network generated (25 cities of 40 000 boxes). */
export const MAX_SCALED_BOXES = CITIES.length * BOXES_PER_CITY;

const STREET_SPACING = 400;
// A city of half-width H metres holds about H² / 4 500 boxes with 400 m blocks and a box every
// 90 m of street (measured on the generator).
const BOXES_PER_SQUARE_METRE = 1 / 4500;

// prettier-ignore
const COMMON_STREETS = [
  'Av. Brasil', 'Rua XV de Novembro', 'Rua Sete de Setembro', 'Av. Getúlio Vargas',
  'Rua Tiradentes', 'Rua Marechal Deodoro', 'Rua Dom Pedro II', 'Av. Independência',
  'Rua Santos Dumont', 'Rua São Paulo', 'Rua Paraná', 'Av. Duque de Caxias',
  'Rua Rui Barbosa', 'Rua Barão do Rio Branco', 'Av. JK', 'Rua Princesa Isabel',
  'Rua Castro Alves', 'Rua José Bonifácio', 'Av. das Palmeiras', 'Rua Floriano Peixoto',
] as const;

export interface ScaledNetwork {
  seed: number;
  boxes: number;
  catalogue: Catalogue;
  /** One project per city, the first being the catalogue's (Maringá FTTH). */
  projects: Array<DemoNetwork['project']>;
  regions: DemoRegion[];
  /** The rows, a box at a time (pole, box, splitters, ports, customers). */
  rows(): Generator<DemoRows>;
}

interface CityPlan {
  spec: CitySpec;
  boxes: number;
  projectId: string;
  half: number;
}

/** Fast deterministic 24-hex ids: 8 hex of the seed's hash, 2 of the kind, 14 of the number. */
function scaledIds(seed: number): (kind: string, n: number) => string {
  const prefix = createHash('sha256').update(`alcance-demo/${seed}`).digest('hex').slice(0, 8);
  const kinds = new Map<string, string>();
  return (kind, n) => {
    let k = kinds.get(kind);
    if (!k) {
      k = createHash('sha256').update(kind).digest('hex').slice(0, 2);
      kinds.set(kind, k);
    }
    return prefix + k + n.toString(16).padStart(14, '0');
  };
}

/** A demo network of exactly `boxes` boxes (1..MAX_SCALED_BOXES), deterministic from `seed`. */
export function generateScaledNetwork(seed: number, boxes: number): ScaledNetwork {
  if (!Number.isInteger(boxes) || boxes < 1 || boxes > MAX_SCALED_BOXES) {
    throw new RangeError(`boxes must be an integer from 1 to ${MAX_SCALED_BOXES}, got ${boxes}`);
  }
  const c = catalogue(seed);
  const id = scaledIds(seed);
  const plans: CityPlan[] = [];
  for (let left = boxes, i = 0; left > 0; i++) {
    const spec = CITIES[i]!;
    const count = Math.min(left, BOXES_PER_CITY);
    const half = Math.max(1500, Math.sqrt(count / BOXES_PER_SQUARE_METRE) / 2);
    plans.push({ spec, boxes: count, projectId: i === 0 ? c.project.id : id('project', i), half });
    left -= count;
  }
  const projects = plans.map((p, i) =>
    i === 0
      ? c.project
      : {
          ...c.project,
          id: p.projectId,
          name: `${p.spec.name} FTTH`,
          identifier: p.spec.code,
          lat: p.spec.lat,
          lng: p.spec.lng,
        },
  );
  return {
    seed,
    boxes,
    catalogue: c,
    projects,
    regions: plans.flatMap((p, i) => cityRegions(p, c, id, i)),
    *rows() {
      const counters: Counters = { splitters: 0, clients: 0 };
      let b = 0;
      let spans = 0;
      for (const [i, plan] of plans.entries()) {
        const random = new Random((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
        const { spots, grid } = citySpots(plan, random);
        const place = cityPlace(plan, seed, id);
        const first = b;
        for (let k = 0; k < plan.boxes; k++) {
          const rows = emptyRows();
          addBox(rows, place, c, random, spots[k]!, b++, counters);
          if (k === plan.boxes - 1) {
            // The city's cable spans ride with its last box, once all its poles are written.
            const from = spans;
            rows.spans = demoSpans(
              spots.slice(0, plan.boxes),
              Array.from({ length: plan.boxes }, (_, j) => id('pole', first + j)),
              grid,
              plan.projectId,
              (n) => id('span', from + n),
              (n) => `VAO-${plan.spec.code}-${String(from + n + 1).padStart(6, '0')}`,
            );
            spans += rows.spans.length;
          }
          yield rows;
        }
      }
    },
  };
}

// Enough spots for the plan: widen the grid until the streets hold them all.
function citySpots(plan: CityPlan, random: Random): { spots: Spot[]; grid: StreetGrid } {
  for (let half = plan.half; ; half *= 1.05) {
    const grid = cityGrid(plan.spec, half, random);
    const spots = streetSpots(random, grid);
    if (spots.length >= plan.boxes) return { spots, grid };
  }
}

function cityGrid(spec: CitySpec, half: number, random: Random): StreetGrid {
  const lines = Math.max(2, Math.floor((2 * half) / STREET_SPACING));
  const offsets = Array.from({ length: lines }, (_, i) => -half + STREET_SPACING * (i + 0.5));
  const isMaringa = spec.code === CITY.code;
  const name = (i: number, prefix: 'Rua' | 'Av.') =>
    i < COMMON_STREETS.length
      ? COMMON_STREETS[i]!
      : `${prefix} ${personName(random).split(' ').slice(0, 2).join(' ')} ${SURNAMES[i % SURNAMES.length]}`;
  return {
    half,
    eastWest: offsets.map((y, i) => ({
      name:
        isMaringa && i < EAST_WEST_STREETS.length ? EAST_WEST_STREETS[i]!.name : name(2 * i, 'Rua'),
      y,
    })),
    northSouth: offsets.map((x, i) => ({
      name:
        isMaringa && i < NORTH_SOUTH_STREETS.length
          ? NORTH_SOUTH_STREETS[i]!.name
          : name(2 * i + 1, 'Av.'),
      x,
    })),
  };
}

const METRES_PER_DEGREE_LAT = 111_320;
const round7 = (n: number) => Math.round(n * 1e7) / 1e7;

function cityPlace(plan: CityPlan, seed: number, id: (kind: string, n: number) => string): Place {
  const { spec } = plan;
  const perLng = METRES_PER_DEGREE_LAT * Math.cos((spec.lat * Math.PI) / 180);
  // Neighbourhoods numbered on a 2 km grid, as Maringá's "Zona 01, 02...": row by row from the
  // north-west; spots past the planned grid (a widened city) belong to its edge zones.
  const cells = Math.max(1, Math.ceil((2 * plan.half) / 2000));
  const cell = (v: number) => Math.min(cells - 1, Math.max(0, Math.floor(v / 2000)));
  const zone = (x: number, y: number) =>
    String(1 + cell(plan.half - y) * cells + cell(x + plan.half)).padStart(2, '0');

  return {
    seed,
    code: spec.code,
    projectId: plan.projectId,
    digits: 6,
    id,
    toLngLat: (x, y) => [
      round7(spec.lng + x / perLng),
      round7(spec.lat + y / METRES_PER_DEGREE_LAT),
    ],
    address: (street, number, x, y) =>
      `${street}, ${number} - Zona ${zone(x, y)}, ${spec.name} - ${spec.state}`,
  };
}

// Each city: its centre sells both plans, the north is "zona-norte", the south the basic plan.
function cityRegions(
  plan: CityPlan,
  c: Catalogue,
  id: (kind: string, n: number) => string,
  i: number,
): DemoRegion[] {
  const place = cityPlace(plan, 0, id);
  const h = plan.half + 100;
  const third = (2 * h) / 3;
  const rect = (w: number, s: number, e: number, n: number) =>
    JSON.stringify({
      type: 'Polygon',
      coordinates: [
        [
          place.toLngLat(w, s),
          place.toLngLat(e, s),
          place.toLngLat(e, n),
          place.toLngLat(w, n),
          place.toLngLat(w, s),
        ],
      ],
    });
  const tag = (name: string) => c.tags.find((t) => t.name === name)!.id;
  const specs = [
    {
      name: 'Centro',
      polygon: rect(-third / 2, -third / 2, third / 2, third / 2),
      tags: ['plano-500mb', 'plano-1gb'],
    },
    { name: 'Zona Norte', polygon: rect(-h, third / 2, h, h), tags: ['zona-norte', 'plano-500mb'] },
    { name: 'Zona Sul', polygon: rect(-h, -h, h, -third / 2), tags: ['plano-500mb'] },
  ];
  return specs.map((s, k) => ({
    id: id('region', i * specs.length + k),
    name: `${plan.spec.name} - ${s.name}`,
    polygonJson: s.polygon,
    regionTypeId: c.regionType.id,
    observation: `Área de cobertura ${s.name.toLowerCase()} de ${plan.spec.name}`,
    tagIds: s.tags.map(tag),
  }));
}
