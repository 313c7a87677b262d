// A few blocks of Avenida Paulista, São Paulo. The customer stands at MASP (Av. Paulista 1578).
import type { BoxInput, RegionInput } from '../../src/viability/index.js';

export const MASP = { lat: -23.56141, lng: -46.65588 };

export const PAULISTA_BOXES: BoxInput[] = [
  { id: 'cto-masp', lat: -23.56125, lng: -46.656, hasDropSplitter: true, freePorts: 5 },
  { id: 'cto-trianon', lat: -23.5619, lng: -46.6571, hasDropSplitter: true, freePorts: 2 },
  { id: 'cto-pamplona', lat: -23.5633, lng: -46.6542, hasDropSplitter: true, freePorts: 0 },
  {
    id: 'cto-haddock-lobo',
    lat: -23.5592,
    lng: -46.6575,
    draft: true,
    hasDropSplitter: true,
    freePorts: 8,
  },
  { id: 'cto-frei-caneca', lat: -23.5586, lng: -46.6548, hasDropSplitter: false, freePorts: 0 },
  { id: 'cto-peixoto-gomide', lat: -23.5628, lng: -46.6588, hasDropSplitter: true, freePorts: 8 },
  { id: 'cto-consolacao', lat: -23.5567, lng: -46.6623, hasDropSplitter: true, freePorts: 4 },
  { id: 'cto-paraiso', lat: -23.5714, lng: -46.6447, hasDropSplitter: true, freePorts: 16 },
];

const square = (west: number, south: number, east: number, north: number) => [
  [west, south],
  [east, south],
  [east, north],
  [west, north],
  [west, south],
];

/** The "Paulista" plan covers the avenue but not Parque Trianon (a hole), where cto-trianon is. */
export const PAULISTA_PLAN: RegionInput = {
  id: 'region-paulista',
  tags: ['plano-paulista'],
  polygon: {
    type: 'Polygon',
    coordinates: [
      square(-46.66, -23.565, -46.65, -23.556),
      square(-46.6578, -23.5624, -46.6563, -23.5614),
    ],
  },
};

/** The "Jardins" plan is two separate patches: around cto-trianon and around cto-consolacao. */
export const JARDINS_PLAN: RegionInput = {
  id: 'region-jardins',
  tags: ['plano-jardins', 'empresarial'],
  polygon: {
    type: 'MultiPolygon',
    coordinates: [
      [square(-46.658, -23.5625, -46.656, -23.5613)],
      [square(-46.663, -23.5572, -46.6615, -23.5562)],
    ],
  },
};
