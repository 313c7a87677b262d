import type { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import {
  MemoryGeocodeCache,
  NominatimGeocoder,
  RedisGeocodeCache,
  type Geocoder,
} from './geocoder.js';
import { FindMeLinks, KeyValueLinkStore, loadFindMeSecret, RedisLinkStore } from './links.js';
import { findmeRouter, type FindMeRouterDeps } from './routes.js';
import type { RateLimits } from '../http/rate-limits.js';
import type { SecretBox } from '../security/secret-box.js';

export type { Geocoder, GeocodeResult } from './geocoder.js';
export type { ConfirmedLocation } from './handback.js';
export { findMeHandBack, toFindMeMessage } from './handback.js';
export { FINDME_PATH } from './routes.js';
export { FindMeLinks } from './links.js';

/** The Nominatim client from config, cached in Redis when given one; undefined without GEOCODER_URL. */
export function createGeocoder(config: Config['geocoder'], redis?: Redis): Geocoder | undefined {
  if (!config.url) return undefined;
  return new NominatimGeocoder({
    url: config.url,
    userAgent: config.userAgent,
    minIntervalMs: config.minIntervalMs,
    timeoutMs: config.timeoutMs,
    cache: redis ? new RedisGeocodeCache(redis) : new MemoryGeocodeCache(),
  });
}

export interface FindMeOptions {
  config: Config;
  db: Db;
  logger: Logger;
  redis?: Redis;
  now?: () => Date;
  onConfirmed: FindMeRouterDeps['onConfirmed'];
  networkArea?: FindMeRouterDeps['networkArea'];
  previewViability?: FindMeRouterDeps['previewViability'];
  /** Shared with the chatbot and OZloc; built from config when not given. */
  geocoder?: Geocoder;
  /** Seals the generated signing secret in the KeyValue table. */
  secrets: SecretBox;
  /** Links per chat and geocoder calls per client IP. */
  limits?: Pick<RateLimits, 'findmeLinksPerChat' | 'geocodePerIp'>;
  /** Where the built page is (default web/dist); tests build into a temp folder. */
  webDist?: string;
}

export interface FindMe {
  /** `links.create(channel, chatId)` is the conversation engine's `createLink` port. */
  links: FindMeLinks;
  geocoder?: Geocoder;
  /** Mount at FINDME_PATH. */
  router: Router;
}

/**
 * Wires FindME for the composition root: the signing secret (configured, or kept in the KeyValue
 * table), single-use claims in Redis when available (else the KeyValue table), the geocoder and
 * the routes.
 */
export async function createFindMe(options: FindMeOptions): Promise<FindMe> {
  const { config, db, logger, redis } = options;
  const publicUrl = config.http.publicUrl ?? `http://localhost:${config.http.port}`;
  if (!config.http.publicUrl) {
    logger.warn(
      { publicUrl },
      'PUBLIC_URL is not set: FindME links will only work on this machine',
    );
  }
  const links = new FindMeLinks({
    secret: await loadFindMeSecret(db, options.secrets, config.findme.secret),
    publicUrl,
    ttlMinutes: config.findme.linkTtlMinutes,
    store: redis ? new RedisLinkStore(redis) : new KeyValueLinkStore(db, options.now),
    now: options.now,
    limiter: options.limits?.findmeLinksPerChat,
  });
  const geocoder = options.geocoder ?? createGeocoder(config.geocoder, redis);
  const router = findmeRouter({
    links,
    geocoder,
    onConfirmed: options.onConfirmed,
    networkArea: options.networkArea,
    previewViability: options.previewViability,
    map: config.map,
    mapCenter: config.findme.mapCenter,
    logger,
    geocodePerIp: options.limits?.geocodePerIp,
    ...(options.webDist ? { webDist: options.webDist } : {}),
  });
  return { links, geocoder, router };
}
