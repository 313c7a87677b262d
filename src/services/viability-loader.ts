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

/** Boxes with their splitters' port state; all boxes, or only `ids`. */
export async function loadBoxes(
  db: Db,
  ids?: string[],
): Promise<Array<BoxFacts & { splitters: SplitterPorts[] }>> {
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
  const splitters = await db.splitter.findMany({
    where: ids ? { boxId: { in: ids } } : {},
    select: {
      boxId: true,
      isDrop: true,
      ratioOut: true,
      ports: { where: { blocked: true }, select: { index: true } },
      properties: { where: { port: { not: null } }, select: { port: true, clientId: true } },
    },
  });
  const byBox = new Map<string, SplitterPorts[]>();
  for (const s of splitters) {
    const list = byBox.get(s.boxId) ?? [];
    list.push({
      isDrop: s.isDrop,
      ports: s.ratioOut,
      blockedPorts: s.ports.map((p) => p.index).filter((i) => i >= 1 && i <= s.ratioOut),
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
