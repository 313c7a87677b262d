// Every conversation store keeps the same contract: a message is processed once, and only
// together with the state it produced (issue 10.4); expiry is bounded and cheap (issue 10.6);
// the embedded default (the database) survives a restart (issue 11).
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseConversationStore } from '../../src/bot/conversation/db-store.js';
import { ExpiringMap, MemoryConversationStore } from '../../src/bot/conversation/memory-store.js';
import { RedisConversationStore } from '../../src/bot/conversation/redis-store.js';
import { newConversation } from '../../src/bot/conversation/state.js';
import type { ChatKey, ConversationStore, StateChange } from '../../src/bot/conversation/store.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { Customer, harness, TestClock, textOf, toSummary } from './support.js';

const chat: ChatKey = { channel: 'whatsapp', chatId: '5544999990000@s.whatsapp.net' };
const redisUrl = process.env.TEST_REDIS_URL;

interface Subject {
  name: string;
  make(clock: TestClock): Promise<ConversationStore>;
}

const databases: TestDatabase[] = [];
const redisClients: Redis[] = [];
const subjects: Subject[] = [
  { name: 'memory', make: (clock) => Promise.resolve(new MemoryConversationStore(60, clock.now)) },
  ...testProviders().map((provider) => ({
    name: `database (${provider})`,
    async make(clock: TestClock) {
      const database = await freshDatabase(provider);
      databases.push(database);
      return new DatabaseConversationStore(database.db, 60, clock.now, { sweepEvery: 1 });
    },
  })),
];
if (redisUrl) {
  subjects.push({
    name: 'redis',
    make: () => {
      const redis = new Redis(redisUrl);
      redisClients.push(redis);
      const prefix = `test:stores:${Math.random().toString(36).slice(2)}`;
      return Promise.resolve(new RedisConversationStore(redis, 60, { prefix }));
    },
  });
}

afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  await Promise.all(redisClients.map((r) => r.quit()));
});

describe.each(subjects)('conversation store: $name', (subject) => {
  it('commits the state and the processed mark together; "keep" and "delete" too', async () => {
    const clock = new TestClock();
    const store = await subject.make(clock);
    const state = newConversation('c1', clock.now());
    expect(await store.isProcessed(chat, 'm1')).toBe(false);
    await store.commit(chat, 'm1', { kind: 'write', state });
    expect(await store.read(chat)).toEqual(state);
    expect(await store.isProcessed(chat, 'm1')).toBe(true);
    expect(await store.isProcessed({ ...chat, chatId: 'other' }, 'm1')).toBe(false);
    await store.commit(chat, 'm2', { kind: 'keep' });
    expect(await store.read(chat)).toEqual(state);
    expect(await store.isProcessed(chat, 'm2')).toBe(true);
    await store.commit(chat, 'm3', { kind: 'delete' });
    expect(await store.read(chat)).toBeUndefined();
    expect(await store.isProcessed(chat, 'm3')).toBe(true);
  });

  it('a crash before the commit leaves the message unprocessed: the redelivery is answered', async () => {
    const clock = new TestClock();
    const real = await subject.make(clock);
    let crash = true;
    // The process dies between running the message's effects and saving their outcome.
    const crashing: ConversationStore = {
      read: (c) => real.read(c),
      isProcessed: (c, id) => real.isProcessed(c, id),
      commit: (c: ChatKey, id: string, change: StateChange) =>
        crash ? Promise.reject(new Error('killed')) : real.commit(c, id, change),
      delete: (c) => real.delete(c),
      lock: (c) => real.lock(c),
    };
    const h = harness({ store: crashing });
    const c = new Customer(h.engine);
    crash = false;
    await toSummary(c);
    crash = true;
    const lost = textOf(await c.text('sim', 'final-yes'));
    expect(lost).toContain('tive um problema aqui do meu lado');
    expect(h.sales.reserveCalls).toHaveLength(1);
    crash = false;
    // The platform redelivers the same message id: it runs again (same idempotency key).
    const redelivered = textOf(await c.text('sim', 'final-yes'));
    expect(redelivered).toContain('sua instalação está reservada até');
    expect(h.sales.reserveCalls).toHaveLength(2);
    expect(h.sales.reserveCalls[1]?.idempotencyKey).toBe(h.sales.reserveCalls[0]?.idempotencyKey);
    // ...and once committed, a third delivery is a duplicate.
    expect(await c.text('sim', 'final-yes')).toEqual([]);
    expect(h.sales.reserveCalls).toHaveLength(2);
  });
});

describe.each(testProviders())('database conversation store on %s', (provider) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(provider);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('a restart (a new store and engine on the same database) continues the conversation', async () => {
    const clock = new TestClock();
    const first = harness({ store: new DatabaseConversationStore(database.db, 3600, clock.now) });
    const before = new Customer(first.engine, 'restart-chat');
    await before.text('oi');
    await before.text('1');
    await before.location(-23.42, -51.93, 'Rua A, 1');
    await before.text('sim');
    await before.text('sim');
    await before.text('Maria Silva');
    // The process restarts: nothing in memory survives.
    const second = harness({ store: new DatabaseConversationStore(database.db, 3600, clock.now) });
    const after = new Customer(second.engine, 'restart-chat');
    const reply = textOf(await after.text('(44) 99876-5432'));
    expect(reply).toContain('Qual é o seu CPF?');
    expect(reply).not.toContain('Olá');
  });

  it('deletes expired rows in bounded batches as it writes', async () => {
    const clock = new TestClock();
    const store = new DatabaseConversationStore(database.db, 60, clock.now, {
      sweepEvery: 1,
      sweepBatch: 50,
      dedupeTtlSeconds: 60,
    });
    for (let i = 0; i < 120; i++) {
      await store.commit({ channel: 'web', chatId: `sweep-${i}` }, `m${i}`, {
        kind: 'write',
        state: newConversation(`s${i}`, clock.now()),
      });
    }
    clock.advance(61_000);
    const live = { channel: 'web' as const, chatId: 'sweep-live' };
    await store.commit(live, 'x1', { kind: 'write', state: newConversation('x', clock.now()) });
    // One commit removes at most one batch per table.
    const sweepRows = () =>
      database.db.chatConversation.count({ where: { chatKey: { startsWith: 'web:sweep-' } } });
    expect(await sweepRows()).toBe(120 - 50 + 1);
    await store.commit(live, 'x2', { kind: 'keep' });
    await store.commit(live, 'x3', { kind: 'keep' });
    expect(await sweepRows()).toBe(1);
  });
});

describe('memory store bounds (issue 10.6)', () => {
  afterEach(() => undefined);

  it('expires by each entry own lifetime, popping only expired heads', () => {
    let now = 0;
    const map = new ExpiringMap<string>(1000, () => now);
    map.set('short', 'a', 1000);
    map.set('long', 'b', 10_000);
    now = 1500;
    map.set('trigger', 'c', 1000);
    expect(map.get('short')).toBeUndefined();
    expect(map.get('long')).toBe('b');
    expect(map.size).toBe(2);
  });

  it('an overwritten entry keeps its new expiry (the stale queue record is skipped)', () => {
    let now = 0;
    const map = new ExpiringMap<string>(1000, () => now);
    map.set('k', 'old', 1000);
    now = 900;
    map.set('k', 'new', 1000);
    now = 1200;
    map.set('other', 'x', 1000);
    expect(map.get('k')).toBe('new');
  });

  it('never holds more than its bound: the least recently written go first', () => {
    let now = 0;
    const map = new ExpiringMap<number>(10_000, () => now);
    for (let i = 0; i < 40_000; i++) {
      now += 1;
      map.set(`chat-${i}`, i, 3_600_000);
    }
    expect(map.size).toBe(10_000);
    expect(map.get('chat-0')).toBeUndefined();
    expect(map.get('chat-39999')).toBe(39_999);
  });

  it('keeps its queues proportional to live entries when the same keys are rewritten', () => {
    let now = 0;
    const map = new ExpiringMap<number>(100, () => now);
    for (let i = 0; i < 100_000; i++) {
      now += 1;
      map.set(`chat-${i % 50}`, i, 3_600_000);
    }
    expect(map.size).toBe(50);
    // Internal bookkeeping is compacted: far below the 100 000 writes.
    const queued = (map as unknown as { queued: number }).queued;
    expect(queued).toBeLessThan(2 * 50 + 1025);
  });
});
