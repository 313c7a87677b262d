import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export interface LoginThrottleOptions {
  /** Failed attempts allowed per username and address within the window. */
  maxPerUser: number;
  /** Attempts allowed per address within the window, whatever the username. */
  maxPerAddress: number;
  windowSeconds: number;
}

/**
 * Slows down password guessing: every attempt counts against (username, address) and against the
 * address alone; a good password clears its (username, address) count. Shared through Redis when
 * there is one, so every instance counts together.
 */
export class LoginThrottle {
  private readonly perUser: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;

  constructor(options: LoginThrottleOptions, redis?: Redis, namespace = 'default') {
    const make = (keyPrefix: string, points: number) =>
      redis
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix,
            points,
            duration: options.windowSeconds,
            // Redis down: count in this process meanwhile rather than refusing every sign-in.
            insuranceLimiter: new RateLimiterMemory({
              keyPrefix,
              points,
              duration: options.windowSeconds,
            }),
          })
        : new RateLimiterMemory({ keyPrefix, points, duration: options.windowSeconds });
    this.perUser = make(`alcance:${namespace}:login:user`, options.maxPerUser);
    this.perAddress = make(`alcance:${namespace}:login:addr`, options.maxPerAddress);
  }

  /** Counts an attempt; returns the seconds to wait when over the limit, else 0. */
  async attempt(username: string, address: string): Promise<number> {
    try {
      await this.perAddress.consume(address);
      await this.perUser.consume(`${username.toLowerCase()}|${address}`);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw err;
    }
  }

  async succeeded(username: string, address: string): Promise<void> {
    await this.perUser.delete(`${username.toLowerCase()}|${address}`);
  }
}
