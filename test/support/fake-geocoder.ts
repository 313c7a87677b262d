import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local, simulated Nominatim (format=jsonv2): /search and /reverse over a handful of real
 * addresses in Maringá-PR, plus one in Montevideo that only shows up when the client forgets
 * `countrycodes=br`. Switches make it slow, failing or down; every request is recorded.
 */
export interface FakeGeocoder {
  url: string;
  requests: RecordedRequest[];
  /** ok | slow (waits `slowMs` before answering) | error (HTTP 500) | down (drops the connection) */
  mode: 'ok' | 'slow' | 'error' | 'down';
  slowMs: number;
  close(): Promise<void>;
}

export interface RecordedRequest {
  path: string;
  params: URLSearchParams;
  userAgent: string | undefined;
  at: number;
}

interface Place {
  osmId: number;
  lat: number;
  lon: number;
  category: string;
  type: string;
  name?: string;
  address: Record<string, string>;
}

const PR = {
  city: 'Maringá',
  municipality: 'Região Geográfica Imediata de Maringá',
  state_district: 'Região Geográfica Intermediária de Maringá',
  state: 'Paraná',
  'ISO3166-2-lvl4': 'BR-PR',
  region: 'Região Sul',
  country: 'Brasil',
  country_code: 'br',
};

export const MARINGA_PLACES: Place[] = [
  {
    osmId: 289374651,
    lat: -23.4254,
    lon: -51.9375,
    category: 'place',
    type: 'house',
    address: {
      house_number: '1500',
      road: 'Avenida Brasil',
      suburb: 'Zona 01',
      ...PR,
      postcode: '87013-000',
    },
  },
  {
    osmId: 289374652,
    lat: -23.4209,
    lon: -51.9339,
    category: 'place',
    type: 'house',
    address: {
      house_number: '800',
      road: 'Avenida Herval',
      suburb: 'Zona 01',
      ...PR,
      postcode: '87013-110',
    },
  },
  {
    osmId: 289374653,
    lat: -23.4236,
    lon: -51.9402,
    category: 'place',
    type: 'house',
    address: {
      house_number: '2200',
      road: 'Rua Néo Alves Martins',
      suburb: 'Zona 03',
      ...PR,
      postcode: '87050-110',
    },
  },
  {
    osmId: 289374654,
    lat: -23.4066,
    lon: -51.9384,
    category: 'amenity',
    type: 'university',
    name: 'Universidade Estadual de Maringá',
    address: {
      amenity: 'Universidade Estadual de Maringá',
      house_number: '5790',
      road: 'Avenida Colombo',
      suburb: 'Jardim Universitário',
      ...PR,
      postcode: '87020-900',
    },
  },
  {
    osmId: 289374655,
    lat: -23.4261,
    lon: -51.9379,
    category: 'amenity',
    type: 'place_of_worship',
    name: 'Catedral Basílica Menor Nossa Senhora da Glória',
    address: {
      amenity: 'Catedral Basílica Menor Nossa Senhora da Glória',
      road: 'Praça da Catedral',
      suburb: 'Zona 01',
      ...PR,
      postcode: '87010-530',
    },
  },
  {
    osmId: 289374656,
    lat: -23.4452,
    lon: -51.9246,
    category: 'place',
    type: 'house',
    address: {
      house_number: '1200',
      road: 'Avenida Cerro Azul',
      suburb: 'Jardim Novo Horizonte',
      ...PR,
      postcode: '87010-055',
    },
  },
];

const ABROAD: Place = {
  osmId: 98273465,
  lat: -34.908,
  lon: -56.153,
  category: 'highway',
  type: 'primary',
  address: {
    road: 'Avenida Brasil',
    suburb: 'Pocitos',
    city: 'Montevideo',
    state: 'Montevideo',
    country: 'Uruguay',
    country_code: 'uy',
  },
};

export async function startFakeGeocoder(): Promise<FakeGeocoder> {
  const fake: FakeGeocoder = {
    url: '',
    requests: [],
    mode: 'ok',
    slowMs: 6000,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    fake.requests.push({
      path: url.pathname,
      params: url.searchParams,
      userAgent: req.headers['user-agent'],
      at: Date.now(),
    });
    if (fake.mode === 'down') return void req.socket.destroy();
    if (fake.mode === 'error') {
      res.writeHead(500, { 'Content-Type': 'text/html' }).end('<h1>Internal Server Error</h1>');
      return;
    }
    const answer = () => respond(req, url, res);
    if (fake.mode === 'slow') setTimeout(answer, fake.slowMs).unref();
    else answer();
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function respond(_req: IncomingMessage, url: URL, res: ServerResponse): void {
  const json = (body: unknown, status = 200): void => {
    res
      .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' })
      .end(JSON.stringify(body));
  };
  const p = url.searchParams;
  if (url.pathname === '/search') {
    const q = p.get('q');
    if (!q) return json({ error: { code: 400, message: 'Nothing to search for.' } }, 400);
    const brOnly = p.get('countrycodes')?.split(',').includes('br');
    const limit = Math.min(Number(p.get('limit') ?? 10), 40);
    const tokens = normalize(q)
      .split(/[\s,]+/)
      .filter((t) => t.length >= 2);
    const pool = brOnly ? MARINGA_PLACES : [ABROAD, ...MARINGA_PLACES];
    const hits = pool.filter((place) => {
      // Like Nominatim, match the place's own words, not the country or region around it.
      const own = Object.entries(place.address)
        .filter(([k]) => !['country', 'region', 'state_district', 'municipality'].includes(k))
        .map(([, v]) => v);
      const text = normalize([place.name ?? '', ...own].join(' '));
      return tokens.every((t) => text.includes(t));
    });
    return json(hits.slice(0, limit).map((h, i) => toJsonV2(h, 0.6 - i * 0.01)));
  }
  if (url.pathname === '/reverse') {
    const lat = Number(p.get('lat'));
    const lon = Number(p.get('lon'));
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) {
      return json({ error: "Floating-point number expected for parameter 'lat'" }, 400);
    }
    const near = MARINGA_PLACES.map((place) => ({ place, d: metres(lat, lon, place) }))
      .filter((x) => x.d < 600)
      .sort((a, b) => a.d - b.d)[0];
    return json(near ? toJsonV2(near.place, 0.00001) : { error: 'Unable to geocode' });
  }
  json({ error: 'not found' }, 404);
}

function toJsonV2(place: Place, importance: number): unknown {
  const a = place.address;
  const display = [
    place.name,
    a.house_number,
    a.road,
    a.suburb,
    a.city,
    a.municipality,
    a.state_district,
    a.state,
    a.region,
    a.postcode,
    a.country,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    place_id: place.osmId + 1000,
    licence: 'Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright',
    osm_type: 'way',
    osm_id: place.osmId,
    lat: place.lat.toFixed(7),
    lon: place.lon.toFixed(7),
    category: place.category,
    type: place.type,
    place_rank: 30,
    importance,
    addresstype: place.type === 'house' ? 'place' : place.category,
    name: place.name ?? '',
    display_name: display,
    address: place.address,
    boundingbox: [
      (place.lat - 0.0001).toFixed(7),
      (place.lat + 0.0001).toFixed(7),
      (place.lon - 0.0001).toFixed(7),
      (place.lon + 0.0001).toFixed(7),
    ],
  };
}

function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

function metres(lat: number, lon: number, place: Place): number {
  const k = Math.PI / 180;
  const x = (place.lon - lon) * k * Math.cos(((lat + place.lat) / 2) * k);
  const y = (place.lat - lat) * k;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}
