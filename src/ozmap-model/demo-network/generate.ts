import { catalogue, regions, type Catalogue } from './catalogue.js';
import {
  CITY,
  EAST_WEST_STREETS,
  FIRST_NAMES,
  HALF_EXTENT,
  NORTH_SOUTH_STREETS,
  SURNAMES,
  addressOf,
  toLngLat,
} from './maringa.js';
import { Random, demoId } from './prng.js';
import { demoSpans } from './spans.js';
import type { DemoNetwork, DemoSplitterType } from './types.js';

/** A point on a street where a box (and its pole) goes, with what its address needs. */
export interface Spot {
  street: string;
  /**
   * Which line of the grid the street is (east–west ones first): generated street names can
   * repeat within a city, so the cable spans follow this, not the name.
   */
  line: number;
  /** Metres from the street's start; house numbers in Brazil count metres. */
  along: number;
  x: number;
  y: number;
  /** Which sidewalk: +1 north/east, -1 south/west. */
  side: 1 | -1;
  /** Unit vector along the street, to place the customers' homes beside the box. */
  dir: [number, number];
}

// Boxes stand every 60–120 m along each street, never in the middle of a crossing.
const MIN_GAP = 60;
const MAX_GAP = 120;
const CROSSING_CLEARANCE = 25;
const SIDEWALK = 8;

/** A city's street grid: streets running east–west at `y`, north–south at `x`, within ±half. */
export interface StreetGrid {
  half: number;
  eastWest: ReadonlyArray<{ name: string; y: number }>;
  northSouth: ReadonlyArray<{ name: string; x: number }>;
}

const MARINGA_GRID: StreetGrid = {
  half: HALF_EXTENT,
  eastWest: EAST_WEST_STREETS,
  northSouth: NORTH_SOUTH_STREETS,
};

export function streetSpots(random: Random, grid: StreetGrid = MARINGA_GRID): Spot[] {
  const spots: Spot[] = [];
  const HALF_EXTENT = grid.half;
  const walk = (
    street: string,
    line: number,
    crossings: readonly number[],
    place: (s: number, side: 1 | -1) => [number, number],
    dir: [number, number],
  ) => {
    const sorted = [...crossings].sort((a, b) => a - b);
    for (let s = -HALF_EXTENT + random.between(20, 60); s < HALF_EXTENT;) {
      if (clearOf(sorted, s)) {
        const side = random.chance(0.5) ? 1 : -1;
        const [x, y] = place(s, side);
        spots.push({ street, line, along: s + HALF_EXTENT, x, y, side, dir });
      }
      s += random.between(MIN_GAP, MAX_GAP);
    }
  };
  const xs = grid.northSouth.map((s) => s.x);
  const ys = grid.eastWest.map((s) => s.y);
  grid.eastWest.forEach((street, i) => {
    walk(street.name, i, xs, (s, side) => [s, street.y + side * SIDEWALK], [1, 0]);
  });
  grid.northSouth.forEach((street, j) => {
    const line = grid.eastWest.length + j;
    walk(street.name, line, ys, (s, side) => [street.x + side * SIDEWALK, s], [0, 1]);
  });
  return spots;
}

/** True when `s` is at least CROSSING_CLEARANCE from every (sorted) crossing. */
function clearOf(sorted: readonly number[], s: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  const after = sorted[lo];
  const before = sorted[lo - 1];
  return (
    (after === undefined || after - s >= CROSSING_CLEARANCE) &&
    (before === undefined || s - before >= CROSSING_CLEARANCE)
  );
}

/** Even numbers on one side of the street, odd on the other, as Brazilian streets do. */
function houseNumber(along: number, side: 1 | -1): number {
  const n = Math.max(10, Math.round(along / 2) * 2);
  return side === 1 ? n : n + 1;
}

export function personName(random: Random): string {
  const first = random.pick(FIRST_NAMES);
  const middle = random.chance(0.35) ? ` ${random.pick(FIRST_NAMES)}` : '';
  const last = random.pick(SURNAMES);
  const second = random.pick(SURNAMES.filter((s) => s !== last));
  return `${first}${middle} ${second} ${last}`;
}

type BoxKind = 'draft' | 'distribution-only' | 'full' | 'in-service';

function boxKind(random: Random): BoxKind {
  const r = random.next();
  if (r < 0.05) return 'draft';
  if (r < 0.13) return 'distribution-only';
  if (r < 0.25) return 'full';
  return 'in-service';
}

function splitterTypesFor(kind: BoxKind, c: Catalogue, random: Random): DemoSplitterType[] {
  if (kind === 'draft') return [c.drop8];
  if (kind === 'distribution-only') return [c.distribution4];
  const drops = random.chance(0.3) ? 2 : 1;
  const types = Array.from({ length: drops }, () => (random.chance(0.55) ? c.drop8 : c.drop16));
  return random.chance(0.15) ? [c.distribution4, ...types] : types;
}

/** Where boxes are being placed: a city, its project, and how ids and names are minted. */
export interface Place {
  seed: number;
  code: string;
  projectId: string;
  /** Digits in box and pole numbers (CTO-MGA-0001). */
  digits: number;
  id(kind: string, n: number): string;
  toLngLat(x: number, y: number): [number, number];
  address(street: string, number: number, x: number, y: number): string;
}

/** The rows one box brings: its pole, splitters with their blocked ports, and customers on held ports. */
export type DemoRows = Pick<
  DemoNetwork,
  'poles' | 'boxes' | 'splitters' | 'ports' | 'clients' | 'properties' | 'spans'
>;

/** Running numbers across the whole network (splitter and client ids, client codes). */
export interface Counters {
  splitters: number;
  clients: number;
}

export const emptyRows = (): DemoRows => ({
  poles: [],
  boxes: [],
  splitters: [],
  ports: [],
  clients: [],
  properties: [],
  spans: [],
});

/** Box `b` at `spot`, with its pole, splitters, ports and customers, appended to `rows`. */
export function addBox(
  rows: DemoRows,
  place: Place,
  c: Catalogue,
  random: Random,
  spot: Spot,
  b: number,
  counters: Counters,
): void {
  const number = String(b + 1).padStart(place.digits, '0');
  const [lng, lat] = place.toLngLat(spot.x, spot.y);
  const kind = boxKind(random);
  const projectId = place.projectId;
  const pole = { id: place.id('pole', b), name: `POSTE-${place.code}-${number}`, projectId };
  rows.poles.push({ ...pole, lng, lat });
  const box = {
    id: place.id('box', b),
    name: `CTO-${place.code}-${number}`,
    projectId,
    lng,
    lat,
    boxTypeId: c.boxType.id,
    hierarchyLevel: c.boxType.defaultLevel,
    implanted: kind !== 'draft',
    draft: kind === 'draft',
    poleId: pole.id,
    address: place.address(spot.street, houseNumber(spot.along, spot.side), spot.x, spot.y),
  };
  rows.boxes.push(box);

  // 'full' boxes have every drop port taken; others a share that varies from box to box.
  const occupancy = kind === 'full' ? 1 : kind === 'in-service' ? random.between(0.1, 0.85) : 0;
  splitterTypesFor(kind, c, random).forEach((type, i) => {
    const splitter = {
      id: place.id('splitter', counters.splitters++),
      name: `Splitter ${i + 1}`,
      boxId: box.id,
      projectId,
      splitterTypeId: type.id,
      implanted: box.implanted,
      isDrop: type.isDrop,
      ratioIn: type.ratioIn,
      ratioOut: type.ratioOut,
    };
    rows.splitters.push(splitter);
    for (let port = 1; port <= type.ratioOut; port++) {
      const held = type.isDrop && random.chance(occupancy);
      const blocked = !held && type.isDrop && box.implanted && random.chance(0.04);
      // only a port with something of its own has a row
      if (blocked) {
        rows.ports.push({
          splitterId: splitter.id,
          index: port,
          blocked,
          observation: 'Porta com defeito, aguardando manutenção',
        });
      }
      if (held) addCustomer(rows, place, random, spot, box.id, splitter.id, port, counters);
    }
  });
}

/**
 * A believable FTTH network in Maringá (PR), the same for the same seed down to the ids:
 * boxes on poles along real street names, drop and distribution splitters (a row for each blocked port),
 * implanted customers holding ports, a few draft and full boxes, blocked ports, coverage regions.
 * `generateScaledNetwork` makes one of any size from the same rules.
 */
export function generateDemoNetwork(seed: number): DemoNetwork {
  const random = new Random(seed);
  const c = catalogue(seed);
  const net: DemoNetwork = {
    seed,
    project: c.project,
    boxType: c.boxType,
    splitterTypes: [c.drop8, c.drop16, c.distribution4],
    regionType: c.regionType,
    tags: c.tags,
    regions: regions(seed, c, random),
    ...emptyRows(),
  };
  const place: Place = {
    seed,
    code: CITY.code,
    projectId: c.project.id,
    digits: 4,
    id: (kind, n) => demoId(seed, kind, n),
    toLngLat,
    address: addressOf,
  };
  const counters: Counters = { splitters: 0, clients: 0 };
  const spots = streetSpots(random);
  spots.forEach((spot, b) => addBox(net, place, c, random, spot, b, counters));
  net.spans = demoSpans(
    spots,
    net.boxes.map((b) => b.poleId),
    MARINGA_GRID,
    c.project.id,
    (n) => demoId(seed, 'span', n),
    (n) => `VAO-${CITY.code}-${String(n + 1).padStart(4, '0')}`,
  );
  return net;
}

function addCustomer(
  rows: DemoRows,
  place: Place,
  random: Random,
  spot: Spot,
  boxId: string,
  splitterId: string,
  port: number,
  counters: Counters,
): void {
  const n = counters.clients++;
  const client = {
    id: place.id('client', n),
    code: String(10_001 + n),
    name: personName(random),
    implanted: true,
    status: random.chance(0.93) ? 0 : 1,
    onuSerial: `ZTEG${Math.floor(random.next() * 0xffffffff)
      .toString(16)
      .toUpperCase()
      .padStart(8, '0')}`,
  };
  rows.clients.push(client);
  // Homes sit across or along the street, within a drop cable's reach of the box.
  const along = random.between(-70, 70);
  const side: 1 | -1 = random.chance(0.5) ? 1 : -1;
  const across = side * random.between(12, 25);
  const [dx, dy] = spot.dir;
  const x = spot.x + dx * along + dy * across;
  const y = spot.y + dy * along + dx * across;
  const [lng, lat] = place.toLngLat(x, y);
  rows.properties.push({
    id: place.id('property', n),
    projectId: place.projectId,
    clientId: client.id,
    boxId,
    splitterId,
    port,
    lng,
    lat,
    address: place.address(spot.street, houseNumber(Math.max(0, spot.along + along), side), x, y),
    potencyRead: Math.round(random.between(-25.5, -15) * 100) / 100,
  });
}
