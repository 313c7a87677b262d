import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { RateLimiter, type RateRule } from './rate-limit.js';

/** The limits of every public surface (README "Limits"); each counts per client or per key. */
export interface RateLimits {
  /** Every /api/v2 and /admin request, per client IP, before the key is checked. */
  apiPerIp: RateLimiter;
  /** Every authenticated request, per API key. */
  apiPerKey: RateLimiter;
  /** Missing or wrong API keys, per client IP: past it, even a right key waits. */
  authFailuresPerIp: RateLimiter;
  /** FindME and OZloc pages and their calls, the web chat: per client IP. */
  publicPerIp: RateLimiter;
  /** Web chat messages per chat session. */
  webChatPerSession: RateLimiter;
  /** FindME links minted per chat (each can spend geocoder calls). */
  findmeLinksPerChat: RateLimiter;
  /** Geocoder searches through FindME and OZloc, per client IP. */
  geocodePerIp: RateLimiter;
}

export function createRateLimits(limits: Config['rateLimits'], redis?: Redis): RateLimits {
  const make = (name: string, rule: RateRule) => new RateLimiter({ name, rule, redis });
  return {
    apiPerIp: make('api-ip', limits.apiPerIp),
    apiPerKey: make('api-key', limits.apiPerKey),
    authFailuresPerIp: make('auth-fail', limits.authFailuresPerIp),
    publicPerIp: make('public-ip', limits.publicPerIp),
    webChatPerSession: make('chat-session', limits.webChatPerSession),
    findmeLinksPerChat: make('findme-links', limits.findmeLinksPerChat),
    geocodePerIp: make('geocode-ip', limits.geocodePerIp),
  };
}
