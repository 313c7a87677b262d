// The setting of the demo network: Maringá (PR). Street and neighbourhood names are real; the
// layout is a simplified grid around the real city centre.

export const CITY = {
  name: 'Maringá',
  state: 'PR',
  code: 'MGA',
  centre: { lat: -23.4253, lng: -51.9386 },
  /** The municipality's urban area; every generated point lies well inside it. */
  bounds: { south: -23.48, north: -23.36, west: -52.01, east: -51.87 },
} as const;

const METRES_PER_DEGREE_LAT = 111_320;
const METRES_PER_DEGREE_LNG = METRES_PER_DEGREE_LAT * Math.cos((CITY.centre.lat * Math.PI) / 180);

/** Metres east (x) and north (y) of the centre → [lng, lat], rounded to ~1 cm. */
export function toLngLat(x: number, y: number): [number, number] {
  return [
    round7(CITY.centre.lng + x / METRES_PER_DEGREE_LNG),
    round7(CITY.centre.lat + y / METRES_PER_DEGREE_LAT),
  ];
}

function round7(n: number): number {
  return Math.round(n * 1e7) / 1e7;
}

/** Half the side of the served square, in metres. */
export const HALF_EXTENT = 1500;

/** Streets every 400 m, running east–west (constant y) north to south, and north–south (constant x). */
export const EAST_WEST_STREETS = [
  { name: 'Av. Morangueira', y: 1400 },
  { name: 'Av. Mandacaru', y: 1000 },
  { name: 'Av. Colombo', y: 600 },
  { name: 'Av. Brasil', y: 200 },
  { name: 'Av. Carneiro Leão', y: -200 },
  { name: 'Rua Néo Alves Martins', y: -600 },
  { name: 'Av. Dr. Gastão Vidigal', y: -1000 },
  { name: 'Av. Cerro Azul', y: -1400 },
] as const;

export const NORTH_SOUTH_STREETS = [
  { name: 'Av. Pedro Taques', x: -1400 },
  { name: 'Av. Tuiuti', x: -1000 },
  { name: 'Av. Paraná', x: -600 },
  { name: 'Av. Herval', x: -200 },
  { name: 'Av. Tiradentes', x: 200 },
  { name: 'Av. São Paulo', x: 600 },
  { name: 'Rua Santos Dumont', x: 1000 },
  { name: 'Av. Juscelino Kubitschek', x: 1400 },
] as const;

/** Neighbourhoods on a 3×3 grid of thirds, north row first, west to east. */
const NEIGHBOURHOODS = [
  ['Jardim Alvorada', 'Vila Morangueira', 'Jardim Liberdade'],
  ['Zona 07', 'Zona 01', 'Zona 02'],
  ['Zona 04', 'Zona 05', 'Jardim Novo Horizonte'],
] as const;

export function neighbourhoodAt(x: number, y: number): string {
  const third = (2 * HALF_EXTENT) / 3;
  const col = Math.min(2, Math.max(0, Math.floor((x + HALF_EXTENT) / third)));
  const row = Math.min(2, Math.max(0, Math.floor((HALF_EXTENT - y) / third)));
  return NEIGHBOURHOODS[row]?.[col] ?? 'Zona 01';
}

export function addressOf(street: string, number: number, x: number, y: number): string {
  return `${street}, ${number} - ${neighbourhoodAt(x, y)}, ${CITY.name} - ${CITY.state}`;
}

// prettier-ignore
export const FIRST_NAMES = [
  'Ana', 'Maria', 'João', 'José', 'Pedro', 'Lucas', 'Gabriel', 'Mariana', 'Juliana', 'Fernanda',
  'Rafael', 'Bruno', 'Carlos', 'Paulo', 'Camila', 'Larissa', 'Beatriz', 'Letícia', 'Rodrigo',
  'Marcos', 'Luiz', 'Antônio', 'Francisco', 'Aline', 'Patrícia', 'Sandra', 'Vanessa', 'Thiago',
  'Felipe', 'Gustavo', 'Eduardo', 'Renata', 'Cristiane', 'Daniela', 'Leonardo', 'Matheus',
  'Vitória', 'Isabela', 'Sérgio', 'Adriana', 'Márcia', 'Roberto', 'Fábio', 'Tatiane', 'Diego',
] as const;

// prettier-ignore
export const SURNAMES = [
  'Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima',
  'Gomes', 'Costa', 'Ribeiro', 'Martins', 'Carvalho', 'Almeida', 'Lopes', 'Soares', 'Fernandes',
  'Vieira', 'Barbosa', 'Rocha', 'Dias', 'Nascimento', 'Andrade', 'Moreira', 'Nunes', 'Marques',
  'Machado', 'Mendes', 'Freitas', 'Cardoso', 'Ramos', 'Gonçalves', 'Santana', 'Teixeira',
  'Kobayashi', 'Yamamoto', 'Bortolotto', 'Zanella', 'Tonin', 'Castilho', 'Camargo',
] as const;
