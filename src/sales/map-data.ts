import { ValidationError } from '../errors.js';
import type { Db } from '../ozmap-model/db/client.js';

export interface MapBox {
  id: string;
  name: string | null;
  lat: number;
  lng: number;
  freePorts: number;
}

export interface MapPoint {
  id: string;
  name: string | null;
  lat: number;
  lng: number;
  status: string;
}

export interface MapData {
  boxes: MapBox[];
  reservations: MapPoint[];
  prospects: MapPoint[];
  /** More than `limit` of a kind in view: zoom in to see them all. */
  truncated: boolean;
}

export interface Bbox {
  south: number;
  west: number;
  north: number;
  east: number;
}

/** `west,south,east,north` (as Leaflet's toBBoxString gives it), at most ~1° across. */
export function parseBbox(text: unknown): Bbox {
  const parts = typeof text === 'string' ? text.split(',').map(Number) : [];
  const [west, south, east, north] = parts;
  if (
    parts.length !== 4 ||
    parts.some((n) => !Number.isFinite(n)) ||
    south! < -90 ||
    north! > 90 ||
    west! < -180 ||
    east! > 180 ||
    south! >= north! ||
    west! >= east!
  ) {
    throw new ValidationError('bbox: west,south,east,north in degrees', 'bbox');
  }
  if (north! - south! > 1.5 || east! - west! > 1.5)
    throw new ValidationError('bbox: the area is too large; zoom in', 'bbox');
  return { south: south!, west: west!, north: north!, east: east! };
}

interface BoxRow {
  id: string;
  name: string | null;
  lat: number;
  lng: number;
  ports: number | bigint | null;
  taken: number | bigint | null;
  blocked: number | bigint | null;
}

/** Boxes with free ports, active reservations and prospects inside the map's view. */
export async function mapData(db: Db, bbox: Bbox, now: Date, limit = 3000): Promise<MapData> {
  const boxes = await db.$queryRaw<BoxRow[]>`
    SELECT b."id" AS id, b."name" AS name, b."lat" AS lat, b."lng" AS lng,
      (SELECT SUM(s."ratioOut") FROM "Splitter" s WHERE s."boxId" = b."id" AND s."isDrop" = true) AS ports,
      (SELECT COUNT(*) FROM "Property" p JOIN "Splitter" s ON s."id" = p."splitterId"
        WHERE s."boxId" = b."id" AND s."isDrop" = true AND p."port" IS NOT NULL) AS taken,
      (SELECT COUNT(*) FROM "SplitterPort" sp JOIN "Splitter" s ON s."id" = sp."splitterId"
        WHERE s."boxId" = b."id" AND s."isDrop" = true AND sp."blocked" = true
          AND NOT EXISTS (SELECT 1 FROM "Property" p2 WHERE p2."splitterId" = sp."splitterId" AND p2."port" = sp."index")) AS blocked
    FROM "Box" b
    WHERE b."draft" = false AND b."lat" BETWEEN ${bbox.south} AND ${bbox.north}
      AND b."lng" BETWEEN ${bbox.west} AND ${bbox.east}
    LIMIT ${limit + 1}`;
  const inView = {
    lat: { gte: bbox.south, lte: bbox.north },
    lng: { gte: bbox.west, lte: bbox.east },
  };
  const [reservations, prospects] = await Promise.all([
    db.property.findMany({
      where: { ...inView, client: { is: { reservedBy: { not: null }, implanted: false } } },
      select: {
        lat: true,
        lng: true,
        client: { select: { id: true, name: true, reservationExpiresAt: true } },
      },
      take: limit + 1,
    }),
    db.prospect.findMany({
      where: inView,
      select: { id: true, name: true, lat: true, lng: true },
      take: limit + 1,
    }),
  ]);
  const free = boxes
    .slice(0, limit)
    .map((b) => ({
      id: b.id,
      name: b.name,
      lat: Number(b.lat),
      lng: Number(b.lng),
      freePorts: Number(b.ports ?? 0) - Number(b.taken ?? 0) - Number(b.blocked ?? 0),
    }))
    .filter((b) => b.freePorts > 0);
  return {
    boxes: free,
    reservations: reservations.slice(0, limit).map((p) => ({
      id: p.client!.id,
      name: p.client!.name,
      lat: p.lat!,
      lng: p.lng!,
      status:
        p.client!.reservationExpiresAt && p.client!.reservationExpiresAt < now
          ? 'expired'
          : 'active',
    })),
    prospects: prospects.slice(0, limit).map((p) => ({
      id: p.id,
      name: p.name,
      lat: p.lat!,
      lng: p.lng!,
      status: 'prospect',
    })),
    truncated: boxes.length > limit || reservations.length > limit || prospects.length > limit,
  };
}
