import type { Request, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../errors.js';

/** At most `points` per `seconds` (a fixed window per key). */
export interface RateRule {
  points: number;
  seconds: number;
}

export interface RateLimiterOptions {
  /** Names the counters (Redis keys `alcance:rl:<name>:<key>`). */
  name: string;
  rule: RateRule;
  /** Counters in Redis, shared by every instance; without it, in this process. */
  redis?: Redis;
}

/**
 * A reusable limiter on rate-limiter-flexible: counters live in Redis when it is configured (so N
 * instances share one limit), else in memory. If Redis stops answering, the limit goes on in
 * memory per instance (the library's insurance limiter) rather than failing requests.
 */
export class RateLimiter {
  readonly rule: RateRule;
  private readonly limiter: RateLimiterAbstract;

  constructor(options: RateLimiterOptions) {
    this.rule = options.rule;
    const base = {
      keyPrefix: `alcance:rl:${options.name}`,
      points: options.rule.points,
      duration: options.rule.seconds,
    };
    this.limiter = options.redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: options.redis,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
  }

  /** Counts `points` for `key`; the wait in whole seconds when this goes past the limit. */
  async take(key: string, points = 1): Promise<number | undefined> {
    try {
      await this.limiter.consume(key, points);
      return undefined;
    } catch (res) {
      if (res instanceof RateLimiterRes) return retryAfter(res);
      throw res;
    }
  }

  /** The wait in whole seconds when `key` has used its points up, without counting anything. */
  async exhausted(key: string): Promise<number | undefined> {
    const res = await this.limiter.get(key);
    return res && res.consumedPoints >= this.rule.points ? retryAfter(res) : undefined;
  }

  /** Forgets `key`'s count (e.g. after a successful sign-in). */
  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }

  /** Counts one for `key`, or throws a 429 {@link TooManyRequestsError} with `message`. */
  async enforce(key: string, message: LimitMessage, points = 1): Promise<void> {
    const wait = await this.take(key, points);
    if (wait !== undefined) throw new TooManyRequestsError(limitMessage(message, wait), wait);
  }
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/** A 429's message: English text gets ": try again in N s"; a function writes its own (pt-BR). */
export type LimitMessage = string | ((seconds: number) => string);

export function limitMessage(message: LimitMessage, seconds: number): string {
  return typeof message === 'string' ? `${message}: try again in ${seconds} s` : message(seconds);
}

/** The client's address: `req.ip` honours X-Forwarded-For only when TRUST_PROXY is set. */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * Middleware counting one per request under `keyOf(req)` (skipped when it gives undefined);
 * past the limit, 429 with Retry-After and `{message}`.
 */
export function rateLimited(
  limiter: RateLimiter,
  keyOf: (req: Request) => string | undefined,
  message: LimitMessage,
): RequestHandler {
  return async (req, _res, next) => {
    const key = keyOf(req);
    if (key !== undefined) await limiter.enforce(key, message);
    next();
  };
}
