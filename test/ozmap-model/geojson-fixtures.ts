// Small hand-written GeoJSON documents for the import tests.

export function pole(name: string, lng: number, lat: number, externalId?: string) {
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lng, lat] },
    properties: { kind: 'pole', name, ...(externalId ? { external_id: externalId } : {}) },
  };
}

export function splitter(name: string, output: number, isDrop = true, blocked: number[] = []) {
  return {
    name,
    type: `1x${output}`,
    isDrop,
    ratio: { input: 1, output },
    ports: Array.from({ length: output }, (_, i) => ({
      index: i + 1,
      blocked: blocked.includes(i + 1),
    })),
  };
}

export function box(
  name: string,
  lng: number,
  lat: number,
  extra: Record<string, unknown> = {},
): { type: string; geometry: unknown; properties: Record<string, unknown> } {
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lng, lat] },
    properties: {
      kind: 'box',
      name,
      draft: false,
      implanted: true,
      hierarchyLevel: 1,
      boxType: 'CTO-16',
      address: `Rua Teste, ${Math.round(-lat * 10)} - Centro, Maringá - PR`,
      tags: [],
      splitters: [splitter('Splitter 1', 8)],
      ...extra,
    },
  };
}

export function region(name: string, tags: string[], west = -51.95, south = -23.43) {
  const [east, north] = [west + 0.01, south + 0.01];
  return {
    type: 'Feature',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [west, south],
          [east, south],
          [east, north],
          [west, north],
          [west, south],
        ],
      ],
    },
    properties: { kind: 'region', name, regionType: 'Área de cobertura', tags },
  };
}

export function collection(...features: unknown[]) {
  return { type: 'FeatureCollection', features };
}

/** A small valid network: two poles, three boxes (one on each pole, one without), a region. */
export function smallNetwork() {
  return collection(
    pole('POSTE-1', -51.94, -23.42),
    pole('POSTE-2', -51.941, -23.421, 'pole-ext-2'),
    box('CTO-1', -51.94, -23.42, { pole: 'POSTE-1', external_id: 'box-ext-1' }),
    box('CTO-2', -51.941, -23.421, {
      pole: 'pole-ext-2',
      tags: ['condominio'],
      splitters: [splitter('Splitter 1', 16, true, [3]), splitter('Splitter 2', 4, false)],
    }),
    box('CTO-3', -51.942, -23.422, { draft: true, implanted: false }),
    region('Centro', ['plano-500mb', 'plano-1gb']),
  );
}
