import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Exclusive right to run the socket of one WhatsApp number. Two sockets on the same credentials
 * kick each other off (connectionReplaced loops), so only the holder connects.
 */
export interface SessionLock {
  /** True when this holder has the lock (again); false when someone else holds it. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
  /** Called once when a held lock turns out to be lost (expired and taken, or deleted). */
  onLost(listener: () => void): void;
}

// Renew or release only if we are still the owner: the compare and the write are one step.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** A lock shared by every instance using the same Redis: SET NX PX, renewed at a third of its TTL. */
export class RedisSessionLock implements SessionLock {
  private renewal?: NodeJS.Timeout;
  private readonly listeners: Array<() => void> = [];
  readonly owner: string;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly ttlMs = 30_000,
    owner?: string,
  ) {
    this.owner = owner ?? randomUUID();
  }

  async acquire(): Promise<boolean> {
    if (this.renewal) return true;
    const set = await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX');
    if (set !== 'OK') return false;
    this.renewal = setInterval(() => void this.renew(), Math.max(Math.floor(this.ttlMs / 3), 10));
    this.renewal.unref();
    return true;
  }

  async release(): Promise<void> {
    this.stopRenewing();
    await this.redis.eval(RELEASE, 1, this.key, this.owner);
  }

  onLost(listener: () => void): void {
    this.listeners.push(listener);
  }

  private async renew(): Promise<void> {
    let renewed: unknown;
    try {
      renewed = await this.redis.eval(RENEW, 1, this.key, this.owner, String(this.ttlMs));
    } catch {
      // Redis unreachable for a moment: the next tick tries again; if the key expired meanwhile
      // and someone else took it, that tick reports the loss.
      return;
    }
    if (renewed === 1 || !this.renewal) return;
    this.stopRenewing();
    for (const listener of this.listeners) listener();
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }
}

const heldInProcess = new Set<string>();

/** Without Redis: exclusive within this process only (one instance per number is then on you). */
export class InProcessSessionLock implements SessionLock {
  private held = false;

  constructor(readonly key: string) {}

  acquire(): Promise<boolean> {
    if (this.held) return Promise.resolve(true);
    if (heldInProcess.has(this.key)) return Promise.resolve(false);
    heldInProcess.add(this.key);
    this.held = true;
    return Promise.resolve(true);
  }

  release(): Promise<void> {
    if (this.held) heldInProcess.delete(this.key);
    this.held = false;
    return Promise.resolve();
  }

  onLost(): void {
    // Never lost: nothing else can take it.
  }
}
