import type { Db } from '../ozmap-model/db/client.js';
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

// Ids per query: every one is a bound parameter, and SQLite takes at most 999 in a statement.
const ID_CHUNK = 400;

/** Boxes with their splitters' port state; all boxes, or only `ids`. */
export async function loadBoxes(
  db: Db,
  ids?: string[],
): Promise<Array<BoxFacts & { splitters: SplitterPorts[] }>> {
  if (ids && ids.length > ID_CHUNK) {
    const out: Array<BoxFacts & { splitters: SplitterPorts[] }> = [];
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      out.push(...(await loadBoxes(db, ids.slice(i, i + ID_CHUNK))));
    }
    return out;
  }
  const where = ids ? { id: { in: ids } } : {};
  const boxes = await db.box.findMany({
    where,
    select: {
      id: true,
      name: true,
      projectId: true,
      lat: true,
      lng: true,
      draft: true,
      implanted: true,
    },
  });
  // Ports and properties are read on their own, not as nested relations: those are loaded with
  // one bound parameter per splitter, more than SQLite takes past ~1000 splitters.
  const inBoxes = ids ? { boxId: { in: ids } } : {};
  const [splitters, blocked, occupied] = await Promise.all([
    db.splitter.findMany({
      where: inBoxes,
      select: { id: true, boxId: true, isDrop: true, ratioOut: true },
    }),
    db.splitterPort.findMany({
      where: { blocked: true, ...(ids ? { splitter: inBoxes } : {}) },
      select: { splitterId: true, index: true },
    }),
    db.property.findMany({
      where: {
        splitterId: { not: null },
        port: { not: null },
        ...(ids ? { splitter: inBoxes } : {}),
      },
      select: { splitterId: true, port: true },
    }),
  ]);
  const group = <T extends { splitterId: string | null }>(rows: T[], value: (r: T) => number) => {
    const map = new Map<string, number[]>();
    for (const r of rows) {
      if (!r.splitterId) continue;
      const list = map.get(r.splitterId) ?? [];
      list.push(value(r));
      map.set(r.splitterId, list);
    }
    return map;
  };
  const blockedBy = group(blocked, (p) => p.index);
  const occupiedBy = group(occupied, (p) => p.port ?? 0);
  const byBox = new Map<string, SplitterPorts[]>();
  for (const s of splitters) {
    const list = byBox.get(s.boxId) ?? [];
    list.push({
      isDrop: s.isDrop,
      ports: s.ratioOut,
      blockedPorts: (blockedBy.get(s.id) ?? []).filter((i) => i >= 1 && i <= s.ratioOut),
      occupiedPorts: (occupiedBy.get(s.id) ?? []).filter((i) => i >= 1 && i <= s.ratioOut),
    });
    byBox.set(s.boxId, list);
  }
  return boxes.map((b) => ({ ...b, splitters: byBox.get(b.id) ?? [] }));
}

/** Regions with their tags (both ids and names, so callers may pass either). */
export async function loadRegions(db: Db): Promise<RegionInput[]> {
  const regions = await db.region.findMany({
    select: { id: true, polygonJson: true, tags: { select: { id: true, name: true } } },
  });
  return regions.map((r) => ({
    id: r.id,
    tags: r.tags.flatMap((t) => [t.id, t.name]),
    polygon: JSON.parse(r.polygonJson) as GeoJsonPolygon | GeoJsonMultiPolygon,
  }));
}

export async function loadVacantProperties(db: Db, boxIds?: string[]): Promise<VacantProperty[]> {
  const rows = await db.property.findMany({
    where: {
      clientId: null,
      splitterId: { not: null },
      lat: { not: null },
      lng: { not: null },
      ...(boxIds ? { boxId: { in: boxIds } } : {}),
    },
    select: { id: true, boxId: true, lat: true, lng: true, address: true, observation: true },
  });
  return rows.map((r) => ({ ...r, lat: r.lat ?? 0, lng: r.lng ?? 0 }));
}
