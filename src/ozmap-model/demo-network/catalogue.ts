import { CITY } from './maringa.js';
import { demoId, type Random } from './prng.js';
import type {
  DemoBoxType,
  DemoProject,
  DemoRegion,
  DemoRegionType,
  DemoSplitterType,
  DemoTag,
} from './types.js';
import { HALF_EXTENT, toLngLat } from './maringa.js';

export interface Catalogue {
  project: DemoProject;
  boxType: DemoBoxType;
  drop8: DemoSplitterType;
  drop16: DemoSplitterType;
  distribution4: DemoSplitterType;
  regionType: DemoRegionType;
  tags: DemoTag[];
}

export function catalogue(seed: number): Catalogue {
  const tag = (n: number, name: string, color: string): DemoTag => ({
    id: demoId(seed, 'tag', n),
    name,
    allowedTypesJson: '["region"]',
    color,
  });
  const splitterType = (
    n: number,
    ratioOut: number,
    isDrop: boolean,
    description: string,
  ): DemoSplitterType => ({
    id: demoId(seed, 'splitter-type', n),
    code: `1x${ratioOut}`,
    isDrop,
    ratioIn: 1,
    ratioOut,
    description,
  });
  return {
    project: {
      id: demoId(seed, 'project', 0),
      name: `${CITY.name} FTTH`,
      identifier: CITY.code,
      lat: CITY.centre.lat,
      lng: CITY.centre.lng,
      defaultPonPotency: 5,
      dropMaxSize: 300,
    },
    boxType: {
      id: demoId(seed, 'box-type', 0),
      code: 'CTO-16',
      prefix: 'CTO-',
      brand: 'Furukawa',
      description: 'Caixa de terminação óptica, até 16 assinantes',
      defaultLevel: 1,
    },
    drop8: splitterType(0, 8, true, 'Splitter de atendimento 1:8 conectorizado'),
    drop16: splitterType(1, 16, true, 'Splitter de atendimento 1:16 conectorizado'),
    distribution4: splitterType(2, 4, false, 'Splitter de distribuição 1:4'),
    regionType: {
      id: demoId(seed, 'region-type', 0),
      name: 'Área de cobertura',
      color: '3388FF',
      borderColor: '1F5FBF',
      description: 'Áreas atendidas por plano',
    },
    tags: [
      tag(0, 'plano-500mb', '2E7D32'),
      tag(1, 'plano-1gb', '1565C0'),
      tag(2, 'zona-norte', 'F9A825'),
      tag(3, 'condominio', '6A1B9A'),
    ],
  };
}

/** A counter-clockwise rectangle (GeoJSON's right-hand rule) from metre offsets. */
function rectangle(west: number, south: number, east: number, north: number): string {
  const ring = [
    toLngLat(west, south),
    toLngLat(east, south),
    toLngLat(east, north),
    toLngLat(west, north),
    toLngLat(west, south),
  ];
  return JSON.stringify({ type: 'Polygon', coordinates: [ring] });
}

/** Coverage regions over neighbourhoods, each carrying the plan tags sold there. */
export function regions(seed: number, c: Catalogue, random: Random): DemoRegion[] {
  const tagId = (name: string) => c.tags.find((t) => t.name === name)?.id ?? '';
  const third = (2 * HALF_EXTENT) / 3;
  const edge = HALF_EXTENT + 100;
  // The condominium sits somewhere in the south-east block; the seed moves it.
  const cx = random.between(third / 2 + 150, edge - 400);
  const cy = random.between(-edge + 400, -third / 2 - 150);
  const specs = [
    {
      name: 'Zona Norte',
      polygon: rectangle(-edge, third / 2, edge, edge),
      observation: 'Jardim Alvorada, Vila Morangueira e Jardim Liberdade',
      tags: ['zona-norte', 'plano-500mb'],
    },
    {
      name: 'Centro - Zona 01',
      polygon: rectangle(-third / 2, -third / 2, third / 2, third / 2),
      observation: 'Centro comercial, prédios e salas',
      tags: ['plano-500mb', 'plano-1gb'],
    },
    {
      name: 'Zona 05',
      polygon: rectangle(-third / 2, -edge, third / 2, -third / 2),
      observation: 'Bairro residencial',
      tags: ['plano-500mb'],
    },
    {
      name: 'Condomínio Residencial Atlântico',
      polygon: rectangle(cx - 150, cy - 120, cx + 150, cy + 120),
      observation: 'Condomínio horizontal fechado',
      tags: ['condominio', 'plano-1gb'],
    },
  ];
  return specs.map((s, n) => ({
    id: demoId(seed, 'region', n),
    name: s.name,
    polygonJson: s.polygon,
    regionTypeId: c.regionType.id,
    observation: s.observation,
    tagIds: s.tags.map(tagId),
  }));
}
