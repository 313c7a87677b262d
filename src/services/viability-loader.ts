import type { Db } from '../ozmap-model/db/client.js';
import { findInChunks, keysetPages } from '../ozmap-model/db/chunks.js';
import { truthy, withRawSession, type RawSession } from '../ozmap-model/db/raw.js';
import { IdTable } from '../viability/id-table.js';
import { MAX_EXTRA_PORTS } from '../viability/availability.js';
import type {
  GeoJsonMultiPolygon,
  GeoJsonPolygon,
  RegionInput,
  SplitterPorts,
} from '../viability/index.js';

/** What the viability answer shows about a box besides distance and availability. */
export interface BoxFacts {
  id: string;
  name: string | null;
  projectId: string;
  lat: number;
  lng: number;
  draft: boolean;
  implanted: boolean;
}

/** A property connected to a splitter port but holding no client (e.g. after a cancellation). */
export interface VacantProperty {
  id: string;
  boxId: string | null;
  lat: number;
  lng: number;
  address: string | null;
  observation: string | null;
}

/**
 * Boxes `ids` with their splitters' port state, read through Prisma in chunks (a handful of boxes
 * changed by a write; the whole inventory goes through loadAllBoxes).
 */
export async function loadBoxes(
  db: Db,
  ids: Iterable<string>,
): Promise<Array<BoxFacts & { splitters: SplitterPorts[] }>> {
  const boxes = await findInChunks(ids, (chunk) =>
    db.box.findMany({
      where: { id: { in: chunk } },
      select: {
        id: true,
        name: true,
        projectId: true,
        lat: true,
        lng: true,
        draft: true,
        implanted: true,
      },
    }),
  );
  const splitters = await findInChunks(
    boxes.map((b) => b.id),
    (chunk) =>
      db.splitter.findMany({
        where: { boxId: { in: chunk } },
        select: {
          boxId: true,
          isDrop: true,
          ratioOut: true,
          // The splitters' port rows (only ports with a state of their own have one), filtered
          // here: the rows are few, and the query stays on the (splitterId, index) key.
          ports: { select: { index: true, blocked: true } },
          properties: { where: { port: { not: null } }, select: { port: true, clientId: true } },
        },
      }),
    // a chunk's splitters carry their ports and properties as nested reads: keep it small
    100,
  );
  const byBox = new Map<string, SplitterPorts[]>();
  for (const s of splitters) {
    const list = byBox.get(s.boxId) ?? [];
    list.push({
      isDrop: s.isDrop,
      ports: s.ratioOut,
      blockedPorts: s.ports
        .filter((p) => p.blocked)
        .map((p) => p.index)
        .filter((i) => i >= 1 && i <= s.ratioOut),
      // a port held by a vacant property (no client) is not free, but a PortPolicy may offer it
      occupiedPorts: s.properties
        .filter((p) => p.clientId !== null)
        .map((p) => p.port ?? 0)
        .filter((i) => i >= 1 && i <= s.ratioOut),
      vacantPorts: s.properties
        .filter((p) => p.clientId === null)
        .map((p) => p.port ?? 0)
        .filter((i) => i >= 1 && i <= s.ratioOut),
    });
    byBox.set(s.boxId, list);
  }
  return boxes.map((b) => ({ ...b, splitters: byBox.get(b.id) ?? [] }));
}

/** Regions with their tags (both ids and names, so callers may pass either), in pages. */
export async function loadRegions(db: Db): Promise<RegionInput[]> {
  const out: RegionInput[] = [];
  const pages = keysetPages(
    (after, take) =>
      db.region.findMany({
        where: after ? { id: { gt: after } } : {},
        orderBy: { id: 'asc' },
        take,
        select: { id: true, polygonJson: true, tags: { select: { id: true, name: true } } },
      }),
    (r) => r.id,
  );
  for await (const page of pages) {
    for (const r of page) {
      out.push({
        id: r.id,
        tags: r.tags.flatMap((t) => [t.id, t.name]),
        polygon: JSON.parse(r.polygonJson) as GeoJsonPolygon | GeoJsonMultiPolygon,
      });
    }
  }
  return out;
}

/** Vacant properties of the boxes `boxIds` (see loadAllBoxes for all of them). */
export async function loadVacantProperties(
  db: Db,
  boxIds: Iterable<string>,
): Promise<VacantProperty[]> {
  const rows = await findInChunks(boxIds, (chunk) =>
    db.property.findMany({
      where: {
        clientId: null,
        splitterId: { not: null },
        lat: { not: null },
        lng: { not: null },
        boxId: { in: chunk },
      },
      select: { id: true, boxId: true, lat: true, lng: true, address: true, observation: true },
    }),
  );
  return rows.map((r) => ({ ...r, lat: r.lat ?? 0, lng: r.lng ?? 0 }));
}

/**
 * The whole inventory as the index needs it, in columns (one entry per box, no object per box):
 * what loadBoxes + dropAvailability give, box by box, for every box.
 */
export interface LoadedInventory {
  ids: string[];
  names: Array<string | null>;
  /** Index into `projects`. */
  project: Int32Array;
  projects: string[];
  lat: Float64Array;
  lng: Float64Array;
  draft: Uint8Array;
  implanted: Uint8Array;
  hasDropSplitter: Uint8Array;
  freePorts: Int32Array;
  /** Blocked and vacant-held ports apart from the free ones (packExtraPorts), for PortPolicy. */
  extras: Int32Array;
  vacant: VacantProperty[];
  /** Drop splitters and taken ports read (for the start-up log). */
  dropSplitters: number;
  takenPorts: number;
}

const PAGE = 20_000;

/**
 * Reads every box, drop splitter, blocked port, held port and vacant property with plain SQL on
 * a connection of its own, in one read-only snapshot: a start-up while another process imports
 * sees the inventory before that import or after it, never half of it. Rows stream in pages and
 * go straight into typed arrays, so memory stays close to the index's own size.
 */
export async function loadAllBoxes(db: Db): Promise<LoadedInventory> {
  return withRawSession(db, 'read', readInventory);
}

async function readInventory(s: RawSession): Promise<LoadedInventory> {
  const [[countValue]] = (await s.all('SELECT COUNT(*) FROM "Box"')) as [[unknown]];
  let capacity = Number(countValue);
  const inv: LoadedInventory = {
    ids: [],
    names: [],
    project: new Int32Array(capacity),
    projects: [],
    lat: new Float64Array(capacity),
    lng: new Float64Array(capacity),
    draft: new Uint8Array(capacity),
    implanted: new Uint8Array(capacity),
    hasDropSplitter: new Uint8Array(capacity),
    freePorts: new Int32Array(capacity),
    extras: new Int32Array(capacity),
    vacant: [],
    dropSplitters: 0,
    takenPorts: 0,
  };
  const projectIndex = new Map<string, number>();
  const boxes = new IdTable(inv.ids, capacity);
  for await (const page of s.pages(
    'SELECT "id", "name", "projectId", "lat", "lng", "draft", "implanted" FROM "Box"',
    [],
    PAGE,
  )) {
    for (const [id, name, projectId, lat, lng, draft, implanted] of page) {
      const row = inv.ids.length;
      if (row === capacity) {
        // rows committed after the count and before the snapshot (PostgreSQL counts outside it)
        capacity = grow(inv, capacity);
      }
      inv.ids.push(id as string);
      boxes.add(id as string, row);
      inv.names.push((name as string | null) ?? null);
      let p = projectIndex.get(projectId as string);
      if (p === undefined) {
        p = inv.projects.push(projectId as string) - 1;
        projectIndex.set(projectId as string, p);
      }
      inv.project[row] = p;
      inv.lat[row] = Number(lat);
      inv.lng[row] = Number(lng);
      inv.draft[row] = truthy(draft) ? 1 : 0;
      inv.implanted[row] = truthy(implanted) ? 1 : 0;
    }
  }
  if (inv.ids.length < capacity) shrink(inv, inv.ids.length);

  // Availability as dropAvailability() computes it, aggregated per box by the database: the
  // drop splitters' outputs, less the ports held by a property, less the blocked ones no property
  // holds (a port both blocked and held counts once). Ports outside 1..ratioOut do not count.
  const perBox = async (
    sql: string,
    params: unknown[],
    apply: (row: number, n: number) => void,
  ) => {
    for await (const page of s.pages(sql, params, PAGE)) {
      for (const [boxId, value] of page) {
        const row = boxes.get(boxId as string);
        if (row !== undefined) apply(row, Number(value));
      }
    }
  };
  await perBox(
    'SELECT "boxId", SUM("ratioOut") FROM "Splitter" WHERE "isDrop" = ? GROUP BY "boxId"',
    [true],
    (row, ports) => {
      inv.hasDropSplitter[row] = 1;
      inv.freePorts[row] = ports;
    },
  );
  await perBox(
    `SELECT s."boxId", COUNT(*) FROM "Property" p JOIN "Splitter" s ON s."id" = p."splitterId"
      WHERE s."isDrop" = ? AND p."port" >= 1 AND p."port" <= s."ratioOut" GROUP BY s."boxId"`,
    [true],
    (row, held) => {
      inv.freePorts[row]! -= held;
      inv.takenPorts += held;
    },
  );
  await perBox(
    `SELECT s."boxId", COUNT(*) FROM "SplitterPort" sp JOIN "Splitter" s ON s."id" = sp."splitterId"
      WHERE sp."blocked" = ? AND s."isDrop" = ? AND sp."index" >= 1 AND sp."index" <= s."ratioOut"
        AND NOT EXISTS (SELECT 1 FROM "Property" p WHERE p."splitterId" = sp."splitterId" AND p."port" = sp."index")
      GROUP BY s."boxId"`,
    [true, true],
    (row, blocked) => {
      inv.freePorts[row]! -= blocked;
      inv.takenPorts += blocked;
      inv.extras[row] = Math.min(blocked, MAX_EXTRA_PORTS);
    },
  );
  // Held by a vacant property (no client): offered when a query counts them free; apart, those
  // also blocked (offered only when both are).
  for (const [bits, blocked] of [
    [10, false],
    [20, true],
  ] as const) {
    await perBox(
      `SELECT s."boxId", COUNT(*) FROM "Property" p JOIN "Splitter" s ON s."id" = p."splitterId"
        WHERE s."isDrop" = ? AND p."clientId" IS NULL AND p."port" >= 1 AND p."port" <= s."ratioOut"
          AND ${blocked ? '' : 'NOT '}EXISTS (SELECT 1 FROM "SplitterPort" sp
                WHERE sp."splitterId" = p."splitterId" AND sp."index" = p."port" AND sp."blocked" = ?)
        GROUP BY s."boxId"`,
      [true, true],
      (row, n) => {
        inv.extras[row] = inv.extras[row]! | (Math.min(n, MAX_EXTRA_PORTS) << bits);
      },
    );
  }
  const [[drops]] = (await s.all('SELECT COUNT(*) FROM "Splitter" WHERE "isDrop" = ?', [true])) as [
    [unknown],
  ];
  inv.dropSplitters = Number(drops);

  for await (const page of s.pages(
    'SELECT "id", "boxId", "lat", "lng", "address", "observation" FROM "Property" WHERE "clientId" IS NULL AND "splitterId" IS NOT NULL AND "lat" IS NOT NULL AND "lng" IS NOT NULL',
    [],
    PAGE,
  )) {
    for (const [id, boxId, lat, lng, address, observation] of page) {
      inv.vacant.push({
        id: id as string,
        boxId: (boxId as string | null) ?? null,
        lat: Number(lat),
        lng: Number(lng),
        address: (address as string | null) ?? null,
        observation: (observation as string | null) ?? null,
      });
    }
  }
  return inv;
}

type Column =
  'project' | 'lat' | 'lng' | 'draft' | 'implanted' | 'hasDropSplitter' | 'freePorts' | 'extras';
const COLUMNS: Column[] = [
  'project',
  'lat',
  'lng',
  'draft',
  'implanted',
  'hasDropSplitter',
  'freePorts',
  'extras',
];

function grow(inv: LoadedInventory, capacity: number): number {
  const next = Math.max(1024, capacity * 2);
  for (const c of COLUMNS) {
    const old = inv[c];
    const grown = new (old.constructor as new (n: number) => typeof old)(next);
    grown.set(old);
    (inv as unknown as Record<Column, typeof old>)[c] = grown;
  }
  return next;
}

function shrink(inv: LoadedInventory, size: number): void {
  for (const c of COLUMNS) {
    (inv as unknown as Record<Column, unknown>)[c] = inv[c].slice(0, size);
  }
}
