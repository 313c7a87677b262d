// The WhatsApp socket lock: one owner across instances, re-taken after a Redis restart, given up
// in time when the store is unreachable, taken over once a dead owner's lease expires.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DatabaseSessionLock, RedisSessionLock } from '../../src/bot/whatsapp/session-lock.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';

const REDIS = process.env.TEST_REDIS_URL;

describe.runIf(REDIS)('RedisSessionLock', () => {
  const clients: Redis[] = [];
  const client = async () => {
    const c = new Redis(REDIS!, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
    clients.push(c);
    await new Promise((resolve) => c.once('ready', resolve));
    return c;
  };
  let n = 0;
  const key = () => `alcance:test:lock:${process.pid}:${++n}`;
  afterEach(() => vi.useRealTimers());
  afterAll(() => clients.forEach((c) => c.disconnect()));

  it('is taken again by its owner when the key vanished (Redis restarted without persistence)', async () => {
    const k = key();
    const redis = await client();
    const a = new RedisSessionLock(redis, k, 300, 'owner-a');
    const lost = vi.fn();
    a.onLost(lost);
    expect(await a.acquire()).toBe(true);
    await redis.del(k);
    await vi.waitFor(async () => expect(await redis.get(k)).toBe('owner-a'), { timeout: 2_000 });
    expect(lost).not.toHaveBeenCalled();
    await a.release();
    expect(await redis.get(k)).toBeNull();
  });

  it('reports the lock lost when another instance holds it, and stops renewing', async () => {
    const k = key();
    const redis = await client();
    const a = new RedisSessionLock(redis, k, 300, 'owner-a');
    const lost = vi.fn();
    a.onLost(lost);
    expect(await a.acquire()).toBe(true);
    expect(await new RedisSessionLock(redis, k, 300, 'owner-b').acquire()).toBe(false);
    await redis.set(k, 'owner-b', 'PX', 60_000);
    await vi.waitFor(() => expect(lost).toHaveBeenCalledTimes(1), { timeout: 2_000 });
    expect(await redis.get(k)).toBe('owner-b');
  });

  it('steps down before its lease could expire when Redis stops answering', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const redis = await client();
    const a = new RedisSessionLock(redis, key(), 30_000, 'owner-a');
    const lost = vi.fn();
    a.onLost(lost);
    expect(await a.acquire()).toBe(true);
    redis.disconnect(); // every renewal now fails at once
    await vi.advanceTimersByTimeAsync(10_000); // one failed renewal, a third of the TTL
    expect(lost).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(10_000); // two thirds: give up while the lease still holds
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it('a standby takes over once the dead owner’s lease expires, and not before', async () => {
    const k = key();
    const owner = await client();
    const standby = new RedisSessionLock(await client(), k, 30_000, 'owner-b');
    expect(await new RedisSessionLock(owner, k, 30_000, 'owner-a').acquire()).toBe(true);
    owner.disconnect(); // dies without releasing
    expect(await standby.acquire()).toBe(false);
    // The TTL runs out (expired by hand instead of waiting 30 s).
    await (await client()).pexpire(k, 1);
    await new Promise((r) => setTimeout(r, 5));
    expect(await standby.acquire()).toBe(true);
    await standby.release();
  });
});

describe.each(testProviders())('DatabaseSessionLock on %s', (provider) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(provider);
  });
  afterAll(async () => database.drop());

  it('one holder at a time; an expired lease is taken over and its old holder told it lost it', async () => {
    const a = new DatabaseSessionLock(database.db, 'whatsapp:x', { ttlMs: 5_000, owner: 'a' });
    const b = new DatabaseSessionLock(database.db, 'whatsapp:x', { ttlMs: 5_000, owner: 'b' });
    const lost = vi.fn();
    a.onLost(lost);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    // a's lease runs out while it is stalled (set in the past by hand), and b takes it.
    await database.db.jobLease.update({
      where: { key: 'whatsapp:x' },
      data: { until: new Date(Date.now() - 1_000) },
    });
    expect(await b.acquire()).toBe(true);
    await vi.waitFor(() => expect(lost).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    await b.release();
    expect(await a.acquire()).toBe(true);
    await a.release();
  });
});
