import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/bot/conversation/messages.js';
import type { FindMeLinkPort } from '../../src/bot/conversation/ports.js';
import { ValidationError } from '../../src/errors.js';
import {
  deriveLinkKeys,
  FindMeLinks,
  KeyValueLinkStore,
  loadFindMeSecret,
  MemoryLinkStore,
  openLinkToken,
  RedisLinkStore,
  sealLinkToken,
  type LinkStore,
} from '../../src/findme/links.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { secretContext } from '../../src/http/sealed-token.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const CHAT = '5544998765432@s.whatsapp.net';

function setup(ttlMinutes = 30) {
  const clock = { now: new Date('2025-03-10T12:00:00Z') };
  const now = () => clock.now;
  const links = new FindMeLinks({
    secret: SECRET,
    publicUrl: 'https://alcance.example.com.br/',
    ttlMinutes,
    store: new MemoryLinkStore(now),
    now,
  });
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
  return { links, clock, advance };
}

const tokenOf = (url: string) => url.split('/findme/')[1] ?? '';

/** Changes one character in the middle of `text` to another base64url character. */
function flip(text: string, at: number): string {
  const c = text[at] === 'A' ? 'B' : 'A';
  return text.slice(0, at) + c + text.slice(at + 1);
}

describe('FindMeLinks', () => {
  it('creates a link under PUBLIC_URL that verifies to its chat, expiring after the TTL', async () => {
    const { links, clock } = setup();
    const { url, linkId, expiresAt } = await links.create('whatsapp', CHAT);
    expect(url).toMatch(/^https:\/\/alcance\.example\.com\.br\/findme\/[\w-]+\.[\w-]+$/);
    expect(expiresAt.getTime() - clock.now.getTime()).toBe(30 * 60_000);
    expect(await links.verify(tokenOf(url))).toEqual({
      ok: true,
      link: { linkId, channel: 'whatsapp', chatId: CHAT, expiresAt: new Date(expiresAt) },
    });
  });

  it('keeps the chat id (a phone number) out of the URL, even base64-decoded', async () => {
    const { links } = setup();
    const { url } = await links.create('whatsapp', CHAT);
    const [sealed = ''] = tokenOf(url).split('.');
    expect(url).not.toContain('5544998765432');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('5544998765432');
  });

  it('serves as the conversation engine FindMeLinkPort', async () => {
    const { links } = setup();
    const port: FindMeLinkPort = links;
    const { url } = await port.createLink('telegram', '42');
    expect(await links.verify(tokenOf(url))).toMatchObject({ ok: true, link: { chatId: '42' } });
  });

  it('honours a configured TTL', async () => {
    const { links, clock } = setup(5);
    const { expiresAt } = await links.create('telegram', '123456789');
    expect(expiresAt.getTime() - clock.now.getTime()).toBe(5 * 60_000);
  });

  it('rejects a tampered signature', async () => {
    const { links } = setup();
    const token = tokenOf((await links.create('telegram', '42')).url);
    const dot = token.indexOf('.');
    expect(await links.verify(flip(token, dot + 5))).toEqual({ ok: false, reason: 'tampered' });
    expect(await links.verify(token.slice(0, -2))).toEqual({ ok: false, reason: 'tampered' });
  });

  it('rejects a tampered payload', async () => {
    const { links } = setup();
    const token = tokenOf((await links.create('telegram', '42')).url);
    for (const at of [0, 10, 20, token.indexOf('.') - 1]) {
      expect(await links.verify(flip(token, at))).toEqual({ ok: false, reason: 'tampered' });
    }
  });

  it('rejects a link signed with another secret', async () => {
    const other = new FindMeLinks({
      secret: 'another-secret-that-is-long-enough-987654321',
      publicUrl: 'https://x.example',
      ttlMinutes: 30,
      store: new MemoryLinkStore(),
    });
    const { links } = setup();
    const token = tokenOf((await other.create('telegram', '42')).url);
    expect(await links.verify(token)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('calls garbage malformed', async () => {
    const { links } = setup();
    for (const token of ['', 'abc', 'a.b.c', '../../etc/passwd', 'x'.repeat(5000) + '.y']) {
      expect(await links.verify(token)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('expires exactly at expiresAt (controlled clock), still naming the chat', async () => {
    const { links, advance } = setup();
    const { url, linkId } = await links.create('telegram', '42');
    advance(30 * 60_000 - 1000);
    expect((await links.verify(tokenOf(url))).ok).toBe(true);
    advance(1000);
    expect(await links.verify(tokenOf(url))).toMatchObject({
      ok: false,
      reason: 'expired',
      link: { linkId, channel: 'telegram', chatId: '42' },
    });
  });

  it('is single-use: once claimed it reads as used and cannot be claimed again', async () => {
    const { links } = setup();
    const { url } = await links.create('telegram', '42');
    const check = await links.verify(tokenOf(url));
    if (!check.ok) throw new Error('expected a valid link');
    const claims = await Promise.all([links.claim(check.link), links.claim(check.link)]);
    expect(claims.sort()).toEqual([false, true]);
    expect(await links.verify(tokenOf(url))).toMatchObject({ ok: false, reason: 'used' });
    await links.release(check.link);
    expect((await links.verify(tokenOf(url))).ok).toBe(true);
  });

  it('refuses to create links for unknown channels or empty chats', async () => {
    const { links } = setup();
    await expect(links.create('fax' as Channel, '42')).rejects.toBeInstanceOf(ValidationError);
    await expect(links.create('telegram', '')).rejects.toBeInstanceOf(ValidationError);
    await expect(links.create('telegram', 'x'.repeat(300))).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects a correctly signed token whose payload has the wrong shape', async () => {
    const { links } = setup();
    const keys = deriveLinkKeys(SECRET);
    const exp = Math.floor(Date.parse('2025-03-10T13:00:00Z') / 1000);
    const bad = [
      { v: 1, id: 'abcdefghijkl', ch: 'fax', chat: '42', exp },
      { v: 1, id: 'abcdefghijkl', ch: 'telegram', chat: '', exp },
      { v: 1, id: 'abcdefghijkl', ch: 'telegram', chat: '42' },
      { v: 2, id: 'abcdefghijkl', ch: 'telegram', chat: '42', exp },
      'just a string',
    ];
    for (const payload of bad) {
      expect(await links.verify(sealLinkToken(keys, payload))).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
    const good = sealLinkToken(keys, { v: 1, id: 'abcdefghijkl', ch: 'telegram', chat: '42', exp });
    expect(openLinkToken(keys, good)).toMatchObject({ ok: true });
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => deriveLinkKeys('short')).toThrow(/32/);
  });
});

/** The same contract for every LinkStore. */
function storeContract(name: string, make: () => LinkStore | Promise<LinkStore>) {
  describe(name, () => {
    it('claims a link exactly once, even under concurrent claims', async () => {
      const store = await make();
      const id = randomBytes(9).toString('base64url');
      expect(await store.isClaimed(id)).toBe(false);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.claim(id, 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.isClaimed(id)).toBe(true);
      await store.release(id);
      expect(await store.isClaimed(id)).toBe(false);
      expect(await store.claim(id, 60_000)).toBe(true);
    });
  });
}

storeContract('MemoryLinkStore', () => new MemoryLinkStore());

describe.skipIf(!process.env.TEST_REDIS_URL)('RedisLinkStore', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.TEST_REDIS_URL ?? '', { lazyConnect: false });
  });
  afterAll(async () => {
    await redis.quit();
  });
  storeContract('contract', () => new RedisLinkStore(redis, `test:findme:${Date.now()}:`));

  it('lets a claim lapse after its TTL', async () => {
    const store = new RedisLinkStore(redis, `test:findme:ttl:${Date.now()}:`);
    expect(await store.claim('abc', 50)).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    expect(await store.isClaimed('abc')).toBe(false);
  });
});

for (const provider of testProviders()) {
  describe(`KeyValue table (${provider})`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await freshDatabase(provider);
    });
    afterAll(async () => {
      await t.drop();
    });

    storeContract('KeyValueLinkStore', () => new KeyValueLinkStore(t.db));

    const box = SecretBox.fromKey(randomBytes(32));
    const where = { namespace_key: { namespace: 'findme', key: 'secret' } };

    it('generates the signing secret once, keeps it sealed, and keeps it across restarts', async () => {
      expect(await loadFindMeSecret(t.db, box, 'configured-secret-wins-over-stored-one')).toBe(
        'configured-secret-wins-over-stored-one',
      );
      const [a, b] = await Promise.all([loadFindMeSecret(t.db, box), loadFindMeSecret(t.db, box)]);
      expect(a).toBe(b);
      expect(a.length).toBeGreaterThanOrEqual(32);
      expect(await loadFindMeSecret(t.db, box)).toBe(a);
      const row = await t.db.keyValue.findUnique({ where });
      // At rest it is sealed: the stored value is not the secret, and opens only as this secret.
      expect(row?.value).not.toContain(a);
      expect(SecretBox.isSealed(row?.value)).toBe(true);
      expect(box.open(row!.value, secretContext('findme'))).toBe(a);
      expect(() => box.open(row!.value, secretContext('ozloc'))).toThrow();
      // Another key cannot open it: the service refuses to start rather than sign with a new one.
      await expect(loadFindMeSecret(t.db, SecretBox.fromKey(randomBytes(32)))).rejects.toThrow(
        /does not open/,
      );
    });

    it('seals a secret an earlier version stored in clear, keeping its value', async () => {
      const plain = randomBytes(32).toString('base64url');
      await t.db.keyValue.update({ where, data: { value: plain } });
      expect(await loadFindMeSecret(t.db, box)).toBe(plain);
      const row = await t.db.keyValue.findUnique({ where });
      expect(SecretBox.isSealed(row?.value)).toBe(true);
      expect(row?.value).not.toContain(plain);
      expect(await loadFindMeSecret(t.db, box)).toBe(plain);
    });
  });
}
