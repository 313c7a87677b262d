// Locations typed as text: coordinates ("-23.4253, -51.9386", "23°25'31.1\"S 51°56'19.0\"W"),
// map links (Google Maps, Apple Maps, Waze, OpenStreetMap), geo: URIs and street addresses.
// Pure: the flow decides what to do with the answer (check coverage, geocode, re-prompt).
import type { GeoPoint } from './messages.js';

export type TypedLocation =
  /** A point read from coordinates or a link. */
  | { kind: 'point'; point: GeoPoint }
  /** Text to geocode: a typed address, or the place name a map link carries. */
  | { kind: 'address'; query: string }
  /** A shortened map link (maps.app.goo.gl, waze.com/ul...): expanding it needs the internet. */
  | { kind: 'short-link' }
  /** A link we could not read a point from. */
  | { kind: 'unreadable-link' };

/** Rough but safe: every point of Brazil, its islands included, is inside this box. */
const BRAZIL = { south: -33.76, north: 5.28, west: -74.0, east: -28.8 };

function inBrazil(p: GeoPoint): boolean {
  return (
    p.lat >= BRAZIL.south && p.lat <= BRAZIL.north && p.lng >= BRAZIL.west && p.lng <= BRAZIL.east
  );
}

/** A valid point; "lng, lat" typed the wrong way round is swapped when only that fits Brazil. */
function point(lat: number, lng: number): GeoPoint | undefined {
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return undefined;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180) {
    return Math.abs(lng) <= 90 && Math.abs(lat) <= 180 ? { lat: lng, lng: lat } : undefined;
  }
  const swapped = { lat: lng, lng: lat };
  if (!inBrazil({ lat, lng }) && Math.abs(lng) <= 90 && inBrazil(swapped)) return swapped;
  if (lat === 0 && lng === 0) return undefined;
  return { lat, lng };
}

const DECIMAL = /[-+−]?\d{1,3}(?:[.,]\d+)?/g;

/** "-23.4253, -51.9386", "-23,4253 -51,9386", "lat -23.4253 lng -51.9386". */
export function parseCoordinates(text: string): GeoPoint | undefined {
  const dms = parseDms(text);
  if (dms) return dms;
  const stripped = text.replace(/\b(lat(itude)?|lng|lon(gitude)?|long)\b\s*[:=]?/gi, ' ');
  // Only numbers, separators and a few words ("minha localização é ...").
  if (
    /[a-z]{3,}.*[a-z]{3,}.*[a-z]{3,}.*[a-z]{3,}/i.test(stripped.replace(/[^a-z\s]/gi, ' ').trim())
  )
    return undefined;
  const numbers = stripped.match(DECIMAL) ?? [];
  if (numbers.length !== 2) return undefined;
  const [a, b] = numbers.map((s) => Number(s.replace('−', '-').replace(',', '.')));
  // Two decimals at least: "12, 100" is a house number, not a point.
  if (!numbers.every((s) => /[.,]\d{2,}/.test(s))) return undefined;
  return point(a ?? NaN, b ?? NaN);
}

/** 23°25'31.1"S 51°56'19.0"W (as Google Maps shows it); O = oeste, L = leste. */
function parseDms(text: string): GeoPoint | undefined {
  const part =
    /(\d{1,3})\s*°\s*(?:(\d{1,2}(?:[.,]\d+)?)\s*['′’]\s*)?(?:(\d{1,2}(?:[.,]\d+)?)\s*(?:["″”]|''|’’)\s*)?([NSEWOL])/gi;
  const found = [...text.matchAll(part)];
  if (found.length !== 2) return undefined;
  const values = found.map((m) => {
    const deg = Number(m[1]);
    const min = Number((m[2] ?? '0').replace(',', '.'));
    const sec = Number((m[3] ?? '0').replace(',', '.'));
    const hemi = (m[4] ?? '').toUpperCase();
    const value = deg + min / 60 + sec / 3600;
    return { value: hemi === 'S' || hemi === 'W' || hemi === 'O' ? -value : value, hemi };
  });
  const lat = values.find((v) => v.hemi === 'N' || v.hemi === 'S');
  const lng = values.find((v) => v.hemi !== 'N' && v.hemi !== 'S');
  return lat && lng ? point(lat.value, lng.value) : undefined;
}

const SHORTENERS =
  /^(maps\.app\.goo\.gl|goo\.gl|g\.co|waze\.com\/ul\/(?!h)|maps\.apple\/|osm\.org\/go|bit\.ly|tinyurl\.com|t\.co|encurtador\.com\.br|cutt\.ly|is\.gd|l\.wl\.co|wa\.me\/p)/i;

/** A point, or text to geocode, from a map link or geo: URI. */
export function parseMapLink(raw: string): TypedLocation | undefined {
  const text = raw.trim();
  if (/^geo:/i.test(text)) return parseGeoUri(text);
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  const hostPath = `${host}${url.pathname}`;
  if (host === 'waze.com' || host.endsWith('.waze.com')) {
    const hash = /^\/ul\/h([0-9b-hjkmnp-z]{5,12})$/i.exec(url.pathname)?.[1];
    if (hash) return asPoint(decodeGeohash(hash));
  }
  if (SHORTENERS.test(hostPath)) return { kind: 'short-link' };
  const q = url.searchParams;
  const decoded = safeDecode(url.href);
  if (isGoogle(host, url.pathname)) {
    // !3d!4d is the place's own pin; @ is only where the map was centred.
    const pin = /!3d(-?\d+\.\d+)!4d(-?\d+\.\d+)/.exec(decoded);
    if (pin) return asPoint(point(Number(pin[1]), Number(pin[2])));
    for (const key of ['query', 'q', 'll', 'daddr', 'destination', 'center', 'sll']) {
      const found = fromParam(q.get(key));
      if (found) return found;
    }
    const inPath = /\/(?:place|search|dir)\/(?:[^/]*\/)*?(-?\d+\.\d+),\s*\+?(-?\d+\.\d+)/.exec(
      decoded,
    );
    if (inPath) return asPoint(point(Number(inPath[1]), Number(inPath[2])));
    const at = /@(-?\d+\.\d+),(-?\d+\.\d+)/.exec(decoded);
    if (at) return asPoint(point(Number(at[1]), Number(at[2])));
    const place = /\/place\/([^/@]+)/.exec(decoded)?.[1];
    if (place) return { kind: 'address', query: place.replace(/\+/g, ' ').trim() };
    return { kind: 'unreadable-link' };
  }
  if (host === 'maps.apple.com') {
    for (const key of ['ll', 'coordinate', 'sll', 'q', 'address', 'daddr']) {
      const found = fromParam(q.get(key));
      if (found) return found;
    }
    return { kind: 'unreadable-link' };
  }
  if (host === 'waze.com' || host.endsWith('.waze.com')) {
    const to = /ll\.(-?\d+\.\d+)(?:,|%2C)(-?\d+\.\d+)/i.exec(url.href);
    if (to) return asPoint(point(Number(to[1]), Number(to[2])));
    for (const key of ['ll', 'latlng', 'q']) {
      const found = fromParam(q.get(key));
      if (found) return found;
    }
    return { kind: 'unreadable-link' };
  }
  if (host === 'openstreetmap.org' || host === 'osm.org' || host.endsWith('.openstreetmap.org')) {
    const mlat = Number(q.get('mlat'));
    const mlon = Number(q.get('mlon'));
    if (q.get('mlat') && q.get('mlon')) return asPoint(point(mlat, mlon));
    const map = /map=\d+(?:\.\d+)?\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)/.exec(url.hash);
    if (map) return asPoint(point(Number(map[1]), Number(map[2])));
    const search = fromParam(q.get('query'));
    if (search) return search;
    return { kind: 'unreadable-link' };
  }
  return { kind: 'unreadable-link' };
}

function isGoogle(host: string, path: string): boolean {
  if (/^maps\.google\.[a-z.]+$/.test(host)) return true;
  return /^(?:[a-z]+\.)?google\.[a-z.]+$/.test(host) && path.startsWith('/maps');
}

/** geo:-23.42,-51.93 · geo:-23.42,-51.93;u=35?z=17 · geo:0,0?q=-23.42,-51.93(Casa) · geo:0,0?q=Rua X */
function parseGeoUri(text: string): TypedLocation {
  const m = /^geo:\s*(-?\d+(?:\.\d+)?),\s*(-?\d+(?:\.\d+)?)/i.exec(text);
  const q = /[?&]q=([^&]*)/i.exec(text)?.[1];
  if (m && !(Number(m[1]) === 0 && Number(m[2]) === 0)) {
    return asPoint(point(Number(m[1]), Number(m[2])));
  }
  return (
    fromParam(q === undefined ? null : safeDecode(q.replace(/\+/g, ' '))) ?? {
      kind: 'unreadable-link',
    }
  );
}

/** A parameter that holds "lat,lng" (a point) or a place name (an address to geocode). */
function fromParam(value: string | null): TypedLocation | undefined {
  if (!value?.trim()) return undefined;
  const v = value.replace(/\(.*\)$/, '').trim();
  const m = /^(-?\d+(?:\.\d+)?)\s*,\s*\+?(-?\d+(?:\.\d+)?)$/.exec(v);
  if (m) return asPoint(point(Number(m[1]), Number(m[2])));
  if (/^(loc:|ll\.)/i.test(v)) return fromParam(v.replace(/^(loc:|ll\.)/i, ''));
  return /\p{L}{3,}/u.test(v) ? { kind: 'address', query: v } : undefined;
}

function asPoint(p: GeoPoint | undefined): TypedLocation {
  return p ? { kind: 'point', point: p } : { kind: 'unreadable-link' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/** Centre of a geohash cell (Waze's /ul/h<geohash> links carry one). */
export function decodeGeohash(hash: string): GeoPoint | undefined {
  let even = true;
  const lat = [-90, 90];
  const lng = [-180, 180];
  for (const c of hash.toLowerCase()) {
    const bits = BASE32.indexOf(c);
    if (bits < 0) return undefined;
    for (let mask = 16; mask >= 1; mask >>= 1) {
      const range = even ? lng : lat;
      const mid = (range[0]! + range[1]!) / 2;
      if (bits & mask) range[0] = mid;
      else range[1] = mid;
      even = !even;
    }
  }
  return point((lat[0]! + lat[1]!) / 2, (lng[0]! + lng[1]!) / 2);
}

const URL_IN_TEXT =
  /(geo:[^\s]+|https?:\/\/[^\s]+|(?:www\.)?(?:maps\.app\.goo\.gl|goo\.gl|maps\.google\.[a-z.]+|google\.[a-z.]+\/maps|maps\.apple\.com|waze\.com|openstreetmap\.org|osm\.org)\/[^\s]*)/i;

const STREET =
  /^(rua|r|av|avenida|al|alameda|travessa|tv|trav|rodovia|rod|estrada|estr|praca|pca|largo|lg|via|vila|vl|servidao|beco|viela|rodoanel|br|pr|sp|mg|sc|rs|go|ba|quadra|qd|setor|conjunto|cj|condominio|cond|chacara|sitio|fazenda|linha|loteamento|jardim|jd|parque|pq)\b/;

/** A street address, by its first word ("Rua ...", "Av. ...") or a CEP. */
export function looksLikeAddress(text: string): boolean {
  const n = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
  if (/\b\d{5}-?\d{3}\b/.test(n)) return true;
  return STREET.test(n) && /\p{L}{3,}/u.test(n.replace(STREET, ''));
}

/** Drops punctuation that ends the sentence, not the link ("...(Casa))." keeps one ")"). */
function trimLink(link: string): string {
  let out = link.replace(/[.,;!?]+$/, '');
  while (out.endsWith(')') && out.split('(').length < out.split(')').length) out = out.slice(0, -1);
  return out;
}

/**
 * What a typed message says about the installation location. `freeText` accepts any text with
 * a few letters as an address (on the location step); otherwise it must look like one.
 */
export function parseTypedLocation(text: string, freeText: boolean): TypedLocation | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const link = URL_IN_TEXT.exec(trimmed)?.[0];
  if (link) return parseMapLink(trimLink(link)) ?? { kind: 'unreadable-link' };
  const coordinates = parseCoordinates(trimmed);
  if (coordinates) return { kind: 'point', point: coordinates };
  if (looksLikeAddress(trimmed)) return { kind: 'address', query: trimmed };
  if (freeText && trimmed.length >= 6 && /\p{L}{3,}/u.test(trimmed) && /\s|,/.test(trimmed)) {
    return { kind: 'address', query: trimmed };
  }
  return undefined;
}
