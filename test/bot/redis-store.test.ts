import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../../src/bot/conversation/engine.js';
import {
  ChatBusyError,
  RedisConversationStore,
  type RedisStoreOptions,
} from '../../src/bot/conversation/redis-store.js';
import { newConversation } from '../../src/bot/conversation/state.js';
import { createLogger } from '../../src/logger.js';
import {
  Customer,
  IDLE_MS,
  RecordingFindMe,
  RecordingSales,
  TestClock,
  textOf,
  VALID_CPF,
} from './support.js';

const url = process.env.TEST_REDIS_URL;
const prefix = `alcance-test:${randomUUID()}`;
const connections: Redis[] = [];

function connect(): Redis {
  const redis = new Redis(url ?? '', { lazyConnect: false, maxRetriesPerRequest: 1 });
  connections.push(redis);
  return redis;
}

function store(options: RedisStoreOptions = {}, ttlSeconds = 3600): RedisConversationStore {
  return new RedisConversationStore(connect(), ttlSeconds, { prefix, ...options });
}

const chat = { channel: 'whatsapp' as const, chatId: '5544998765432@s.whatsapp.net' };

afterAll(async () => {
  if (!url) return;
  const admin = connect();
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length) await admin.del(...keys);
  await Promise.all(connections.map((c) => c.quit()));
});

describe.skipIf(!url)('RedisConversationStore (real Redis)', () => {
  let admin: Redis;
  beforeAll(() => {
    admin = connect();
  });

  it('writes, reads and deletes a conversation, with SET … EX', async () => {
    const s = store();
    const state = newConversation('c1', new Date('2025-03-10T12:00:00Z'));
    await s.commit(chat, 'm0', {
      kind: 'write',
      state: { ...state, answers: { name: 'Maria Silva' } },
      ttlSeconds: 120,
    });
    expect(await s.read(chat)).toEqual({ ...state, answers: { name: 'Maria Silva' } });
    const ttl = await admin.ttl(`${prefix}:state:whatsapp:${chat.chatId}`);
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
    await s.delete(chat);
    expect(await s.read(chat)).toBeUndefined();
  });

  it('uses the default TTL and lets the state expire', async () => {
    const s = store({}, 1);
    const other = { channel: 'telegram' as const, chatId: 'expiring' };
    await s.commit(other, 'm0', { kind: 'write', state: newConversation('c2', new Date()) });
    expect(await s.read(other)).toBeDefined();
    await new Promise((r) => setTimeout(r, 1200));
    expect(await s.read(other)).toBeUndefined();
  });

  it('treats a corrupt entry as no conversation', async () => {
    const s = store();
    const broken = { channel: 'web' as const, chatId: 'broken' };
    await admin.set(`${prefix}:state:web:broken`, '{not json');
    expect(await s.read(broken)).toBeUndefined();
    expect(await admin.exists(`${prefix}:state:web:broken`)).toBe(0);
  });

  it('marks a message processed only with its commit (MULTI), per chat, seen by every instance', async () => {
    const a = store({ dedupeTtlSeconds: 60 });
    const b = store({ dedupeTtlSeconds: 60 });
    const one = { channel: 'telegram' as const, chatId: '1' };
    expect(await a.isProcessed(one, 'm1')).toBe(false);
    await a.commit(one, 'm1', { kind: 'keep' });
    expect(await b.isProcessed(one, 'm1')).toBe(true);
    expect(await b.isProcessed({ channel: 'telegram', chatId: '2' }, 'm1')).toBe(false);
    const ttl = await admin.ttl(`${prefix}:seen:telegram:1:m1`);
    expect(ttl).toBeGreaterThan(50);
  });

  it('locks a chat across instances: the second waits for the first to unlock', async () => {
    const a = store();
    const b = store();
    const lockChat = { channel: 'web' as const, chatId: 'locked' };
    const order: string[] = [];
    const unlockA = await a.lock(lockChat);
    const waiting = b.lock(lockChat).then((unlock) => {
      order.push('b acquired');
      return unlock;
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push('a releases');
    await unlockA();
    const unlockB = await waiting;
    await unlockB();
    expect(order).toEqual(['a releases', 'b acquired']);
  });

  it('gives up with ChatBusyError, and a crashed holder’s lock expires', async () => {
    const a = store({ lockTtlMs: 300 });
    const b = store({ lockWaitMs: 100 });
    const lockChat = { channel: 'web' as const, chatId: 'crashed' };
    await a.lock(lockChat); // never unlocked: the holder "crashed"
    await expect(b.lock(lockChat)).rejects.toBeInstanceOf(ChatBusyError);
    const c = store({ lockWaitMs: 2000 });
    const unlock = await c.lock(lockChat);
    await unlock();
  });

  it('an expired holder does not delete the lock someone else took since', async () => {
    const a = store({ lockTtlMs: 100 });
    const b = store({ lockWaitMs: 2000 });
    const lockChat = { channel: 'web' as const, chatId: 'stolen' };
    const unlockA = await a.lock(lockChat);
    const unlockB = await b.lock(lockChat);
    await unlockA();
    expect(await admin.exists(`${prefix}:lock:web:stolen`)).toBe(1);
    await unlockB();
    expect(await admin.exists(`${prefix}:lock:web:stolen`)).toBe(0);
  });
});

describe.skipIf(!url)('ConversationEngine on Redis', () => {
  function engine(sales: RecordingSales, clock: TestClock): ConversationEngine {
    return new ConversationEngine({
      store: store(),
      sales,
      findme: new RecordingFindMe(clock.now),
      clock: clock.now,
      idleTimeoutMs: IDLE_MS,
      logger: createLogger('silent'),
    });
  }

  it('a restart mid-conversation loses nothing', async () => {
    const sales = new RecordingSales();
    const clock = new TestClock();
    const chatId = `restart-${randomUUID()}`;
    const before = new Customer(engine(sales, clock), chatId, 'whatsapp');
    await before.location(-23.42, -51.93, 'Rua A, 1');
    await before.text('sim');
    await before.text('sim');
    await before.text('Maria Silva');
    await before.text('44 99876-5432');
    await before.text(VALID_CPF);

    // A new process: new engine, new store object, new connection, same Redis.
    const after = new Customer(engine(sales, clock), chatId, 'whatsapp');
    const summary = textOf(await after.text('maria@example.com'));
    expect(summary).toContain('Nome: Maria Silva');
    expect(summary).toContain('CPF: 529.982.247-25');
    expect(summary).toContain('Endereço: Rua A, 1');
    expect(textOf(await after.text('sim'))).toContain('sua instalação está reservada até');
    expect(sales.reserveCalls).toHaveLength(1);
  });

  it('two instances on one Redis: duplicates processed once, concurrent answers kept', async () => {
    const sales = new RecordingSales();
    const clock = new TestClock();
    const chatId = `two-${randomUUID()}`;
    const one = engine(sales, clock);
    const two = engine(sales, clock);
    const c1 = new Customer(one, chatId, 'telegram');
    const c2 = new Customer(two, chatId, 'telegram');
    await c1.location(-23.42, -51.93, 'Rua A, 1');
    await c1.text('sim');
    await c1.text('sim');
    // Name on instance one and phone on instance two at the same time.
    await Promise.all([c1.text('Maria Silva', 'n1'), c2.text('44 99876-5432', 'n2')]);
    await c1.text(VALID_CPF);
    const summary = textOf(await c2.text('maria@example.com'));
    expect(summary).toContain('Nome: Maria Silva');
    expect(summary).toContain('Telefone: (44) 99876-5432');

    const [a, b] = await Promise.all([c1.text('sim', 'confirm'), c2.text('sim', 'confirm')]);
    expect(sales.reserveCalls).toHaveLength(1);
    expect([a.length === 0, b.length === 0].sort()).toEqual([false, true]);
  });
});
