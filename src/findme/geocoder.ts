import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { GeoPoint } from '../bot/conversation/messages.js';
import { AppError } from '../errors.js';

/** One address found by a search, in our own shape. */
export interface GeocodeResult {
  /** Short Brazilian-style label: "Avenida Brasil, 1500 - Zona 01, Maringá - PR, 87013-000". */
  label: string;
  point: GeoPoint;
}

/** Address search and reverse geocoding. FindME, the chatbot and the OZloc page share it. */
export interface Geocoder {
  search(query: string): Promise<GeocodeResult[]>;
  /** The address at a point, or undefined when the geocoder knows none there. */
  reverse(point: GeoPoint): Promise<string | undefined>;
}

/** The geocoder did not answer usefully (down, refused, 5xx, garbage, or our queue is full). */
export class GeocoderUnavailableError extends AppError {
  constructor(message = 'geocoder unavailable') {
    super(503, message);
  }
}

/** The geocoder did not answer within the timeout. */
export class GeocoderTimeoutError extends AppError {
  constructor(timeoutMs: number) {
    super(504, `geocoder did not answer within ${timeoutMs} ms`);
  }
}

/** A place as Nominatim's `format=jsonv2` returns it (the fields we read). */
export interface NominatimPlace {
  lat?: string;
  lon?: string;
  display_name?: string;
  name?: string;
  address?: Record<string, string | undefined>;
}

/**
 * Nominatim place → our result; undefined when it has no usable point or lies outside Brazil.
 * Pure: the edge converter with its own test.
 */
export function fromNominatimResult(place: NominatimPlace): GeocodeResult | undefined {
  const lat = Number(place.lat);
  const lng = Number(place.lon);
  if (!place.lat || !place.lon || !Number.isFinite(lat) || !Number.isFinite(lng)) return undefined;
  const a = place.address ?? {};
  if (a.country_code && a.country_code.toLowerCase() !== 'br') return undefined;
  return { label: labelOf(place), point: { lat, lng } };
}

function labelOf(place: NominatimPlace): string {
  const a = place.address ?? {};
  const street = a.road ?? a.pedestrian ?? a.footway ?? a.square;
  const name = place.name && place.name !== street ? place.name : undefined;
  const first = [name, street, street && a.house_number].filter(Boolean).join(', ');
  const district = a.suburb ?? a.neighbourhood ?? a.quarter ?? a.city_district;
  const city = a.city ?? a.town ?? a.village ?? a.municipality;
  const uf = /^BR-([A-Z]{2})$/.exec(a['ISO3166-2-lvl4'] ?? '')?.[1];
  const cityUf = [city, uf].filter(Boolean).join(' - ');
  const head = [first, district].filter(Boolean).join(' - ');
  const label = [head, cityUf, a.postcode].filter(Boolean).join(', ');
  return label || place.display_name || `${place.lat}, ${place.lon}`;
}

/** Cache of geocoder answers (JSON strings). Redis in production, memory otherwise. */
export interface GeocodeCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

export class RedisGeocodeCache implements GeocodeCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'alcance:geocode:',
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'EX', ttlSeconds);
  }
}

/** A small LRU with expiry: Map iteration order is insertion order, so the first key is oldest. */
export class MemoryGeocodeCache implements GeocodeCache {
  private readonly entries = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): Promise<string | undefined> {
    const hit = this.entries.get(key);
    if (!hit || hit.until <= this.now()) {
      this.entries.delete(key);
      return Promise.resolve(undefined);
    }
    this.entries.delete(key);
    this.entries.set(key, hit);
    return Promise.resolve(hit.value);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value, until: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return Promise.resolve();
  }
}

/**
 * Spaces calls at least `intervalMs` apart (Nominatim's policy: at most 1 request per second),
 * in arrival order. A call that would wait longer than `maxWaitMs` fails at once instead of
 * piling up behind a burst.
 */
export class RequestSpacer {
  private nextSlot = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly maxWaitMs: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    if (slot - now > this.maxWaitMs) {
      throw new GeocoderUnavailableError('geocoder is busy, try again in a moment');
    }
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
    return fn();
  }
}

export interface NominatimOptions {
  /** Base URL of a Nominatim-compatible service; `/search` and `/reverse` are appended. */
  url: string;
  /** Nominatim requires an identifying User-Agent. */
  userAgent: string;
  /** Minimum spacing between upstream requests (1000 for the public Nominatim). */
  minIntervalMs?: number;
  timeoutMs?: number;
  cache?: GeocodeCache;
  cacheTtlSeconds?: number;
  /** Upper bound on time spent queued behind other requests. */
  maxQueueMs?: number;
  language?: string;
}

const SEARCH_LIMIT = 5;

/** Nominatim client: Brazil only, cached, rate-limited, with a timeout. */
export class NominatimGeocoder implements Geocoder {
  private readonly spacer: RequestSpacer;
  private readonly cache: GeocodeCache;
  private readonly timeoutMs: number;
  private readonly ttl: number;
  private readonly language: string;

  constructor(private readonly options: NominatimOptions) {
    this.timeoutMs = options.timeoutMs ?? 4000;
    this.spacer = new RequestSpacer(options.minIntervalMs ?? 1000, options.maxQueueMs ?? 5000);
    this.cache = options.cache ?? new MemoryGeocodeCache();
    this.ttl = options.cacheTtlSeconds ?? 7 * 24 * 3600;
    this.language = options.language ?? 'pt-BR';
  }

  async search(query: string): Promise<GeocodeResult[]> {
    const q = query.trim().replace(/\s+/g, ' ');
    if (!q) return [];
    const places = await this.cached<NominatimPlace[]>(`search:${q.toLowerCase()}`, '/search', {
      q,
      format: 'jsonv2',
      countrycodes: 'br',
      addressdetails: '1',
      limit: String(SEARCH_LIMIT),
    });
    if (!Array.isArray(places)) throw new GeocoderUnavailableError('unexpected geocoder answer');
    return places.flatMap((p) => fromNominatimResult(p) ?? []).slice(0, SEARCH_LIMIT);
  }

  async reverse(point: GeoPoint): Promise<string | undefined> {
    // Five decimals is about a metre: close enough to share a cache entry.
    const lat = point.lat.toFixed(5);
    const lon = point.lng.toFixed(5);
    const place = await this.cached<NominatimPlace & { error?: unknown }>(
      `reverse:${lat},${lon}`,
      '/reverse',
      { lat, lon, format: 'jsonv2', zoom: '18', addressdetails: '1' },
    );
    if (!place || typeof place !== 'object' || place.error) return undefined;
    return place.address?.country_code && place.address.country_code !== 'br'
      ? undefined
      : labelOf(place);
  }

  private async cached<T>(key: string, path: string, params: Record<string, string>): Promise<T> {
    // Queries are what customers typed: the cache key is a hash, not the text.
    const cacheKey = createHash('sha256').update(`${this.language}|${key}`).digest('base64url');
    const hit = await this.cache.get(cacheKey);
    if (hit !== undefined) return JSON.parse(hit) as T;
    const text = await this.spacer.run(() => this.fetchText(path, params));
    let value: T;
    try {
      value = JSON.parse(text) as T;
    } catch {
      throw new GeocoderUnavailableError('geocoder answered something that is not JSON');
    }
    await this.cache.set(cacheKey, text, this.ttl);
    return value;
  }

  private async fetchText(path: string, params: Record<string, string>): Promise<string> {
    const url = new URL(this.options.url.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries({ ...params, 'accept-language': this.language })) {
      url.searchParams.set(k, v);
    }
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { 'User-Agent': this.options.userAgent, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) throw new GeocoderUnavailableError(`geocoder answered HTTP ${res.status}`);
      return await res.text();
    } catch (err) {
      if (err instanceof AppError) throw err;
      const name = (err as { name?: string } | null)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new GeocoderTimeoutError(this.timeoutMs);
      }
      throw new GeocoderUnavailableError('geocoder unreachable');
    }
  }
}
