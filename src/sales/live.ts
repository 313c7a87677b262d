import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * What the workspace's pages hear about: a kind and the ids concerned, never personal data
 * (the page fetches what it shows, with the signed-in user's rights).
 */
export interface LiveEvent {
  type: string;
  at: string;
  subjectType?: 'reservation' | 'prospect' | 'handoff' | 'webhook' | 'user';
  subjectId?: string;
  /** Small non-personal facts (a status, a counter). */
  data?: Record<string, string | number | boolean | null>;
}

export interface LiveBus {
  publish(event: LiveEvent): Promise<void>;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
}

const CHANNEL = 'alcance:sales:live';

/** One process: listeners hear what this process publishes. */
export class MemoryLiveBus implements LiveBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: LiveEvent): Promise<void> {
    this.emitter.emit('event', event);
    return Promise.resolve();
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  close(): Promise<void> {
    this.emitter.removeAllListeners();
    return Promise.resolve();
  }
}

/** Every instance: published on a Redis channel, heard by every instance's subscriber. */
export class RedisLiveBus implements LiveBus {
  private readonly local = new MemoryLiveBus();

  private constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {}

  /** `namespace` keeps deployments that share one Redis apart (see redisNamespace). */
  static start(redis: Redis, logger: Logger, namespace: string): Promise<RedisLiveBus> {
    // No retry limit and no waiting here: with Redis down the service still starts (GET /ready
    // says so), and the subscription is made, and re-made, whenever the connection is ready.
    const subscriber = redis.duplicate({ maxRetriesPerRequest: null });
    subscriber.on('error', () => undefined); // the main client logs Redis errors
    const channel = `${CHANNEL}:${namespace}`;
    const bus = new RedisLiveBus(redis, subscriber, channel);
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      try {
        void bus.local.publish(JSON.parse(message) as LiveEvent);
      } catch (err) {
        logger.warn({ err }, 'unreadable live event');
      }
    });
    subscriber.subscribe(channel).catch((err: unknown) => {
      logger.warn({ err }, 'could not subscribe to live sales events');
    });
    return Promise.resolve(bus);
  }

  async publish(event: LiveEvent): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify(event));
    } catch {
      // Redis is down: this instance's own screens still get it; the others catch up on reload.
      await this.local.publish(event);
    }
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber.disconnect();
  }
}

/** Instances of one deployment share a database: its URL, hashed, names their Redis keys. */
export function redisNamespace(databaseUrl: string): string {
  return createHash('sha256').update(databaseUrl).digest('hex').slice(0, 12);
}
