import type { Db } from '../db/client.js';
import type {
  BoxProperties,
  InventoryCollection,
  InventoryFeature,
  RegionGeometry,
  SplitterProperties,
} from './format.js';

interface Named {
  id: string;
  externalId: string | null;
  name: string | null;
}

/** A row with neither external id nor name goes out under its own id, so it can come back. */
function identity(row: Named): { name: string | null; external_id: string | null } {
  return { name: row.name, external_id: row.externalId ?? (row.name ? null : row.id) };
}

/** How other features point at this row: its external id, else its name. */
function reference(row: Named): string | null {
  const { name, external_id } = identity(row);
  return external_id ?? name;
}

const label = (row: Named) => row.name ?? row.externalId ?? row.id;
const byLabel = (a: Named, b: Named) => {
  const [x, y] = [label(a), label(b)];
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
};

/**
 * The whole inventory as a GeoJSON FeatureCollection in the import format (docs/geojson.md):
 * poles, then boxes with their splitters and ports, then regions, each sorted by name.
 */
export async function exportGeoJson(db: Db): Promise<InventoryCollection> {
  const poles = await db.pole.findMany();
  const boxes = await db.box.findMany({
    include: {
      tags: { select: { name: true } },
      boxType: { select: { code: true } },
      pole: { select: { id: true, externalId: true, name: true } },
      splitters: {
        include: {
          splitterType: { select: { code: true } },
          ports: { select: { index: true, blocked: true }, orderBy: { index: 'asc' } },
        },
      },
    },
  });
  const regions = await db.region.findMany({
    include: { regionType: { select: { name: true } }, tags: { select: { name: true } } },
  });

  const features: InventoryFeature[] = [
    ...poles.sort(byLabel).map((p): InventoryFeature => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [p.lng, p.lat] },
      properties: { kind: 'pole', ...identity(p) },
    })),
    ...boxes.sort(byLabel).map((b): InventoryFeature => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [b.lng, b.lat] },
      properties: {
        kind: 'box',
        ...identity(b),
        draft: b.draft,
        implanted: b.implanted,
        hierarchyLevel: b.hierarchyLevel,
        boxType: b.boxType?.code ?? null,
        address: b.address,
        pole: b.pole ? reference(b.pole) : null,
        tags: b.tags.map((t) => t.name).sort(),
        splitters: b.splitters.sort(byLabel).map((s): SplitterProperties => ({
          ...identity(s),
          type: s.splitterType.code,
          isDrop: s.isDrop,
          ratio: { input: s.ratioIn, output: s.ratioOut },
          ports: s.ports,
        })),
      } satisfies BoxProperties,
    })),
    ...regions.sort(byLabel).map((r): InventoryFeature => ({
      type: 'Feature',
      geometry: geometryOf(r.polygonJson),
      properties: {
        kind: 'region',
        ...identity(r),
        regionType: r.regionType.name,
        tags: r.tags.map((t) => t.name).sort(),
      },
    })),
  ];
  return { type: 'FeatureCollection', features };
}

function geometryOf(polygonJson: string): RegionGeometry {
  const g = JSON.parse(polygonJson) as RegionGeometry;
  return { type: g.type, coordinates: g.coordinates } as RegionGeometry;
}
