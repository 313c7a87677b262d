import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { acquireLease, releaseLease, renewLease } from '../../jobs/lease.js';
import type { Db } from '../../ozmap-model/db/client.js';

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

/** Where a leased lock lives: take it if free, renew it while ours, give it back. */
interface LeaseStore {
  take(owner: string, ttlMs: number): Promise<boolean>;
  /** 'held' when still ours (re-taken if it had vanished), 'lost' when someone else has it. */
  renew(owner: string, ttlMs: number): Promise<'held' | 'lost'>;
  release(owner: string): Promise<void>;
}

export interface LeasedLockOptions {
  ttlMs?: number;
  owner?: string;
  /** The clock that measures how long renewal has been failing (tests use fake timers). */
  now?: () => number;
}

/**
 * A lock held under a lease renewed every third of its TTL. Single-owner even when this instance
 * is cut off from the store: when renewals have failed for two thirds of the TTL it steps down
 * (reports the lock lost) while the lease is still valid, so it has let go before any other
 * instance can take the lease over. An owner that dies is replaced once its lease expires: within
 * `ttlMs` plus the standby's retry interval.
 */
class LeasedSessionLock implements SessionLock {
  private renewal?: NodeJS.Timeout;
  private lastRenewed = 0;
  private readonly listeners: Array<() => void> = [];
  readonly owner: string;
  readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: LeaseStore,
    options: LeasedLockOptions = {},
  ) {
    this.owner = options.owner ?? randomUUID();
    this.ttlMs = options.ttlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async acquire(): Promise<boolean> {
    if (this.renewal) return true;
    const taken = await this.store.take(this.owner, this.ttlMs);
    if (!taken) return false;
    this.lastRenewed = this.now();
    this.renewal = setInterval(() => void this.renew(), Math.max(Math.floor(this.ttlMs / 3), 10));
    this.renewal.unref();
    return true;
  }

  async release(): Promise<void> {
    this.stopRenewing();
    await this.store.release(this.owner);
  }

  onLost(listener: () => void): void {
    this.listeners.push(listener);
  }

  private async renew(): Promise<void> {
    let state: 'held' | 'lost';
    try {
      state = await this.store.renew(this.owner, this.ttlMs);
    } catch {
      // The store is unreachable: keep the socket while the lease is surely still ours.
      if (this.renewal && this.now() - this.lastRenewed >= (this.ttlMs * 2) / 3) this.lose();
      return;
    }
    if (!this.renewal) return;
    if (state === 'held') this.lastRenewed = this.now();
    else this.lose();
  }

  private lose(): void {
    this.stopRenewing();
    for (const listener of this.listeners) listener();
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }
}

// Renew if ours; take it again if it vanished (Redis restarted without persistence); 0 if another
// instance has it. The compare and the write are one step.
const RENEW = `local v = redis.call('get', KEYS[1])
if v == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if not v then return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') and 1 or 0 end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** A lock shared by every instance using the same Redis: SET NX PX, renewed at a third of its TTL. */
export class RedisSessionLock extends LeasedSessionLock {
  constructor(
    redis: Redis,
    readonly key: string,
    ttlMs = 30_000,
    owner?: string,
    options: Pick<LeasedLockOptions, 'now'> = {},
  ) {
    super(
      {
        take: async (who, ttl) => (await redis.set(key, who, 'PX', ttl, 'NX')) === 'OK',
        renew: async (who, ttl) =>
          (await redis.eval(RENEW, 1, key, who, String(ttl))) === 1 ? 'held' : 'lost',
        release: async (who) => {
          await redis.eval(RELEASE, 1, key, who);
        },
      },
      { ttlMs, owner, ...options },
    );
  }
}

/**
 * The same lock on the database's lease table (src/jobs/lease.ts), for instances that share a
 * PostgreSQL database but no Redis.
 */
export class DatabaseSessionLock extends LeasedSessionLock {
  constructor(
    db: Db,
    readonly key: string,
    options: LeasedLockOptions = {},
  ) {
    super(
      {
        take: async (who, ttl) => (await acquireLease(db, key, who, ttl, new Date())) === who,
        renew: async (who, ttl) => {
          if (await renewLease(db, key, who, ttl, new Date())) return 'held';
          // Not ours any more, or gone: take it again unless another instance holds it.
          return (await acquireLease(db, key, who, ttl, new Date())) === who ? 'held' : 'lost';
        },
        release: (who) => releaseLease(db, key, who),
      },
      options,
    );
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
