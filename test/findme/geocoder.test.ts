import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  fromNominatimResult,
  GeocoderTimeoutError,
  GeocoderUnavailableError,
  MemoryGeocodeCache,
  NominatimGeocoder,
  RedisGeocodeCache,
  type NominatimOptions,
} from '../../src/findme/geocoder.js';
import { startFakeGeocoder, type FakeGeocoder } from '../support/fake-geocoder.js';

const UA = 'Alcance-FindME-test/1.0 (tests@alcance.invalid)';

describe('fromNominatimResult', () => {
  const maringa = {
    place_id: 1,
    lat: '-23.4254000',
    lon: '-51.9375000',
    display_name:
      '1500, Avenida Brasil, Zona 01, Maringá, Região Geográfica Imediata de Maringá, Paraná, Região Sul, 87013-000, Brasil',
    name: '',
    address: {
      house_number: '1500',
      road: 'Avenida Brasil',
      suburb: 'Zona 01',
      city: 'Maringá',
      state: 'Paraná',
      'ISO3166-2-lvl4': 'BR-PR',
      postcode: '87013-000',
      country: 'Brasil',
      country_code: 'br',
    },
  };

  it('converts a jsonv2 place to a short Brazilian label and a numeric point', () => {
    expect(fromNominatimResult(maringa)).toEqual({
      label: 'Avenida Brasil, 1500 - Zona 01, Maringá - PR, 87013-000',
      point: { lat: -23.4254, lng: -51.9375 },
    });
  });

  it('uses the name when there is no street, and display_name when there is no address', () => {
    expect(
      fromNominatimResult({
        lat: '-23.4066',
        lon: '-51.9384',
        name: 'Universidade Estadual de Maringá',
        address: { town: 'Maringá', 'ISO3166-2-lvl4': 'BR-PR', country_code: 'br' },
      }),
    ).toEqual({
      label: 'Universidade Estadual de Maringá, Maringá - PR',
      point: { lat: -23.4066, lng: -51.9384 },
    });
    expect(
      fromNominatimResult({ lat: '-23.1', lon: '-51.2', display_name: 'Algum lugar' }),
    ).toEqual({ label: 'Algum lugar', point: { lat: -23.1, lng: -51.2 } });
  });

  it('drops places without a usable point or outside Brazil', () => {
    expect(fromNominatimResult({ ...maringa, lat: undefined })).toBeUndefined();
    expect(fromNominatimResult({ ...maringa, lon: 'abc' })).toBeUndefined();
    expect(
      fromNominatimResult({ ...maringa, address: { ...maringa.address, country_code: 'uy' } }),
    ).toBeUndefined();
  });
});

describe('NominatimGeocoder against the simulated Nominatim', () => {
  let fake: FakeGeocoder;
  const make = (options: Partial<NominatimOptions> = {}) =>
    new NominatimGeocoder({ url: fake.url, userAgent: UA, minIntervalMs: 0, ...options });

  beforeEach(async () => {
    fake = await startFakeGeocoder();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('searches Brazil only, in pt-BR, with an identifying User-Agent', async () => {
    const results = await make().search('  avenida   brasil maringá ');
    expect(results).toEqual([
      {
        label: 'Avenida Brasil, 1500 - Zona 01, Maringá - PR, 87013-000',
        point: { lat: -23.4254, lng: -51.9375 },
      },
    ]);
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req?.path).toBe('/search');
    expect(Object.fromEntries(req?.params ?? [])).toEqual({
      q: 'avenida brasil maringá',
      format: 'jsonv2',
      countrycodes: 'br',
      addressdetails: '1',
      limit: '5',
      'accept-language': 'pt-BR',
    });
    expect(req?.userAgent).toBe(UA);
  });

  it('would get a foreign address without the country filter (so the filter matters)', async () => {
    const raw = (await (
      await fetch(`${fake.url}/search?q=avenida+brasil&format=jsonv2&addressdetails=1`)
    ).json()) as Array<{ address: { country_code: string } }>;
    expect(raw.map((r) => r.address.country_code)).toContain('uy');
    const ours = await make().search('avenida brasil');
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((r) => r.point.lat > -34)).toBe(true);
  });

  it('reverse-geocodes a point near a known address, and says undefined elsewhere', async () => {
    const geocoder = make();
    expect(await geocoder.reverse({ lat: -23.42095, lng: -51.93395 })).toBe(
      'Avenida Herval, 800 - Zona 01, Maringá - PR, 87013-110',
    );
    expect(await geocoder.reverse({ lat: -15.7939, lng: -47.8828 })).toBeUndefined();
    const params = Object.fromEntries(fake.requests[0]?.params ?? []);
    expect(params).toMatchObject({ lat: '-23.42095', lon: '-51.93395', format: 'jsonv2' });
  });

  it('answers a repeated query from the memory cache without asking upstream again', async () => {
    const geocoder = make();
    const first = await geocoder.search('Avenida Herval Maringá');
    const second = await geocoder.search('avenida herval  maringá');
    expect(second).toEqual(first);
    await geocoder.reverse({ lat: -23.4254, lng: -51.9375 });
    await geocoder.reverse({ lat: -23.425400001, lng: -51.937500001 });
    expect(fake.requests.map((r) => r.path)).toEqual(['/search', '/reverse']);
  });

  it('spaces upstream requests 1 s apart (Nominatim policy), on fake timers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const start = Date.now();
      const geocoder = make({ minIntervalMs: 1000 });
      const searches = Promise.all([
        geocoder.search('avenida brasil'),
        geocoder.search('avenida herval'),
        geocoder.search('avenida colombo'),
      ]);
      // Waits for the loopback round trips on real I/O, without moving the fake clock.
      const requestsReach = async (n: number) => {
        for (let i = 0; i < 10_000 && fake.requests.length < n; i++)
          await new Promise((resolve) => setImmediate(resolve));
        expect(fake.requests).toHaveLength(n);
      };
      await requestsReach(1);
      await vi.advanceTimersByTimeAsync(999);
      expect(fake.requests).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await requestsReach(2);
      await vi.advanceTimersByTimeAsync(1000);
      await searches;
      // The fake server stamps arrivals with the same (fake) clock: exactly one interval apart.
      expect(fake.requests.map((r) => r.at - start)).toEqual([0, 1000, 2000]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses to queue beyond maxQueueMs instead of piling up', async () => {
    const geocoder = make({ minIntervalMs: 1000, maxQueueMs: 1500 });
    const results = await Promise.allSettled([
      geocoder.search('avenida brasil'),
      geocoder.search('avenida herval'),
      geocoder.search('avenida colombo'),
      geocoder.search('cerro azul'),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
    const reason = (results[2] as PromiseRejectedResult).reason as unknown;
    expect(reason).toBeInstanceOf(GeocoderUnavailableError);
  });

  it('turns a dropped connection or an HTTP 500 into GeocoderUnavailableError (503)', async () => {
    fake.mode = 'down';
    const down = await make()
      .search('avenida brasil')
      .catch((e: unknown) => e);
    expect(down).toBeInstanceOf(GeocoderUnavailableError);
    expect((down as GeocoderUnavailableError).status).toBe(503);
    fake.mode = 'error';
    await expect(make().reverse({ lat: -23.4, lng: -51.9 })).rejects.toBeInstanceOf(
      GeocoderUnavailableError,
    );
  });

  it('gives up after the timeout with GeocoderTimeoutError (504), and does not cache it', async () => {
    fake.mode = 'slow';
    fake.slowMs = 20_000;
    const geocoder = make({ timeoutMs: 300 });
    const started = Date.now();
    const err = await geocoder.search('avenida brasil').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeocoderTimeoutError);
    expect((err as GeocoderTimeoutError).status).toBe(504);
    // Gave up long before the upstream would answer (a wide margin: the machine may be loaded).
    expect(Date.now() - started).toBeLessThan(10_000);
    fake.mode = 'ok';
    expect(await geocoder.search('avenida brasil')).toHaveLength(1);
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)('NominatimGeocoder with the Redis cache', () => {
  let fake: FakeGeocoder;
  let redis: Redis;
  beforeAll(async () => {
    fake = await startFakeGeocoder();
    redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  });
  afterAll(async () => {
    await fake.close();
    await redis.quit();
  });

  it('shares answers between instances (a restart or a second server asks upstream once)', async () => {
    const prefix = `test:geocode:${Date.now()}:`;
    const make = () =>
      new NominatimGeocoder({
        url: fake.url,
        userAgent: UA,
        minIntervalMs: 0,
        cache: new RedisGeocodeCache(redis, prefix),
      });
    const first = await make().search('catedral maringá');
    const second = await make().search('Catedral Maringá');
    expect(second).toEqual(first);
    expect(first[0]?.label).toBe(
      'Catedral Basílica Menor Nossa Senhora da Glória, Praça da Catedral - Zona 01, Maringá - PR, 87010-530',
    );
    expect(fake.requests).toHaveLength(1);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    // The key is a hash: what the customer typed is not readable in Redis.
    expect(keys[0]).not.toMatch(/catedral/i);
    expect(await redis.ttl(keys[0]!)).toBeGreaterThan(3600);
  });
});

describe('MemoryGeocodeCache', () => {
  it('expires entries and evicts the least recently used', async () => {
    let now = 0;
    const cache = new MemoryGeocodeCache(2, () => now);
    await cache.set('a', '1', 10);
    await cache.set('b', '2', 10);
    expect(await cache.get('a')).toBe('1'); // a is now the most recent
    await cache.set('c', '3', 10);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('1');
    now = 10_000;
    expect(await cache.get('c')).toBeUndefined();
  });
});
