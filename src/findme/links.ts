import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Channel } from '../bot/conversation/messages.js';
import { ValidationError } from '../errors.js';
import {
  deriveSealKeys,
  loadSecret,
  openToken,
  sealToken,
  type OpenedToken,
  type SealKeys,
} from '../http/sealed-token.js';
import { isUniqueViolation, type Db } from '../ozmap-model/db/client.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { SecretBox } from '../security/secret-box.js';

/** A FindME link as the bot created it: bound to one chat, valid until `expiresAt`. */
export interface FindMeLink {
  linkId: string;
  channel: Channel;
  chatId: string;
  expiresAt: Date;
}

export type LinkProblem = 'malformed' | 'tampered' | 'expired' | 'used';

/** What `verify` says about a token. An expired or used link still names its chat. */
export type LinkCheck =
  | { ok: true; link: FindMeLink }
  | { ok: false; reason: 'malformed' | 'tampered' }
  | { ok: false; reason: 'expired' | 'used'; link: FindMeLink };

/**
 * Remembers which links were confirmed, so each is confirmed once. `claim` is atomic: of two
 * concurrent claims of one link exactly one returns true.
 */
export interface LinkStore {
  claim(linkId: string, ttlMs: number): Promise<boolean>;
  isClaimed(linkId: string): Promise<boolean>;
  /** Gives a claim back (the hand-back failed, the customer may try again). */
  release(linkId: string): Promise<void>;
}

export interface FindMeLinksOptions {
  /** At least 32 characters; see `loadFindMeSecret`. */
  secret: string;
  /** Public base URL of this service (`PUBLIC_URL`), e.g. https://alcance.example.com.br */
  publicUrl: string;
  ttlMinutes: number;
  store: LinkStore;
  now?: () => Date;
  /**
   * Links one chat may get (counted per channel and chat): each link may spend geocoder calls,
   * so minting them freely could starve everyone else's address searches.
   */
  limiter?: RateLimiter;
}

const CHANNELS = [
  'telegram',
  'whatsapp',
  'whatsapp-cloud',
  'web',
  'terminal',
] as const satisfies readonly Channel[];
// A claim outlives the link by this much, so a used link never reads as merely expired-and-free.
const CLAIM_GRACE_MS = 24 * 60 * 60 * 1000;

const PayloadSchema = z.object({
  v: z.literal(1),
  id: z.string().regex(/^[\w-]{8,64}$/),
  ch: z.enum(CHANNELS),
  chat: z.string().min(1).max(256),
  exp: z.number().int().positive(),
});
type Payload = z.infer<typeof PayloadSchema>;

/**
 * Signed, expiring, single-use links to the FindME page.
 *
 * Token = base64url(iv ‖ AES-256-CTR(payload)) "." base64url(HMAC-SHA256(first part)), sealed by
 * src/http/sealed-token.ts. The payload is encrypted because the chat id is a phone number on
 * WhatsApp and URLs end up in logs and browser histories; the HMAC (checked in constant time,
 * before decrypting) makes any change to the token detectable. Encryption and MAC keys are
 * derived from the one secret with HKDF.
 */
export class FindMeLinks {
  private readonly keys: LinkKeys;
  private readonly now: () => Date;

  constructor(private readonly options: FindMeLinksOptions) {
    this.keys = deriveLinkKeys(options.secret);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * A new link for this chat; matches the conversation engine's `createLink` port. Past the
   * per-chat limit it throws a TooManyRequestsError (the conversation says to try later).
   */
  async create(
    channel: Channel,
    chatId: string,
  ): Promise<{ url: string; linkId: string; expiresAt: Date }> {
    if (!(CHANNELS as readonly string[]).includes(channel)) {
      throw new ValidationError(`unknown channel: ${String(channel)}`, 'channel');
    }
    if (typeof chatId !== 'string' || !chatId || chatId.length > 256) {
      throw new ValidationError('invalid chat id', 'chatId');
    }
    await this.options.limiter?.enforce(
      `${channel}:${chatId}`,
      'too many FindME links for this chat',
    );
    // Whole seconds, as the token carries them: what create() says is what verify() will say.
    const exp = Math.floor((this.now().getTime() + this.options.ttlMinutes * 60_000) / 1000);
    const expiresAt = new Date(exp * 1000);
    const linkId = randomBytes(12).toString('base64url');
    const token = sealLinkToken(this.keys, {
      v: 1,
      id: linkId,
      ch: channel,
      chat: chatId,
      exp,
    });
    const base = this.options.publicUrl.replace(/\/+$/, '');
    return { url: `${base}/findme/${token}`, linkId, expiresAt };
  }

  /** The conversation engine's FindMeLinkPort, so a FindMeLinks can be handed to it as is. */
  createLink(channel: Channel, chatId: string): Promise<{ url: string; expiresAt: Date }> {
    return this.create(channel, chatId);
  }

  /** Checks signature, shape, expiry and use, in that order. Never throws for a bad token. */
  async verify(token: string): Promise<LinkCheck> {
    const opened = openLinkToken(this.keys, token);
    if (!opened.ok) return opened;
    const link = toLink(opened.payload);
    if (link.expiresAt.getTime() <= this.now().getTime()) {
      return { ok: false, reason: 'expired', link };
    }
    if (await this.options.store.isClaimed(link.linkId)) return { ok: false, reason: 'used', link };
    return { ok: true, link };
  }

  /** Marks the link confirmed; false when it already was (a double submit or a replay). */
  claim(link: FindMeLink): Promise<boolean> {
    const ttl = link.expiresAt.getTime() - this.now().getTime() + CLAIM_GRACE_MS;
    return this.options.store.claim(link.linkId, Math.max(ttl, 1000));
  }

  release(link: FindMeLink): Promise<void> {
    return this.options.store.release(link.linkId);
  }
}

export type LinkKeys = SealKeys;

const MAX_TOKEN_LENGTH = 1024;

export function deriveLinkKeys(secret: string): LinkKeys {
  return deriveSealKeys(secret, {
    secretName: 'FindME secret',
    salt: 'alcance-findme',
    encryptionInfo: 'link-encryption',
    macInfo: 'link-mac',
  });
}

/** Encrypts and signs a payload. Exported for tests that need a correctly signed odd payload. */
export function sealLinkToken(keys: LinkKeys, payload: unknown): string {
  return sealToken(keys, payload);
}

export function openLinkToken(keys: LinkKeys, token: string): OpenedToken<Payload> {
  return openToken(keys, token, MAX_TOKEN_LENGTH, PayloadSchema);
}

function toLink(p: Payload): FindMeLink {
  return { linkId: p.id, channel: p.ch, chatId: p.chat, expiresAt: new Date(p.exp * 1000) };
}

/**
 * The configured secret, or the one kept in the KeyValue table, created on first start so links
 * survive restarts. Two instances starting together agree: the loser of the insert re-reads.
 */
export function loadFindMeSecret(db: Db, box: SecretBox, configured?: string): Promise<string> {
  return loadSecret(db, box, 'findme', configured);
}

/** Claims in Redis: `SET key 1 PX ttl NX` is atomic across every instance. */
export class RedisLinkStore implements LinkStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'alcance:findme:used:',
  ) {}

  async claim(linkId: string, ttlMs: number): Promise<boolean> {
    const result = await this.redis.set(this.prefix + linkId, '1', 'PX', Math.ceil(ttlMs), 'NX');
    return result === 'OK';
  }

  async isClaimed(linkId: string): Promise<boolean> {
    return (await this.redis.exists(this.prefix + linkId)) === 1;
  }

  async release(linkId: string): Promise<void> {
    await this.redis.del(this.prefix + linkId);
  }
}

const USED_NAMESPACE = 'findme-used';
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** Claims in the KeyValue table (no Redis): the primary key makes the insert the atomic claim. */
export class KeyValueLinkStore implements LinkStore {
  private lastSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async claim(linkId: string, ttlMs: number): Promise<boolean> {
    await this.sweep();
    const expiresAt = new Date(this.now().getTime() + ttlMs);
    try {
      await this.db.keyValue.create({
        data: { namespace: USED_NAMESPACE, key: linkId, value: '1', expiresAt },
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async isClaimed(linkId: string): Promise<boolean> {
    const row = await this.db.keyValue.findUnique({
      where: { namespace_key: { namespace: USED_NAMESPACE, key: linkId } },
      select: { key: true },
    });
    return row !== null;
  }

  async release(linkId: string): Promise<void> {
    await this.db.keyValue.deleteMany({ where: { namespace: USED_NAMESPACE, key: linkId } });
  }

  /** Drops claims of links long expired, at most once an hour. */
  private async sweep(): Promise<void> {
    const now = this.now();
    if (now.getTime() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now.getTime();
    await this.db.keyValue.deleteMany({
      where: { namespace: USED_NAMESPACE, expiresAt: { lt: now } },
    });
  }
}

/** Claims in this process only: for tests and single-instance setups without a database. */
export class MemoryLinkStore implements LinkStore {
  private readonly claims = new Map<string, number>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  claim(linkId: string, ttlMs: number): Promise<boolean> {
    const now = this.now().getTime();
    for (const [id, until] of this.claims) if (until <= now) this.claims.delete(id);
    if (this.claims.has(linkId)) return Promise.resolve(false);
    this.claims.set(linkId, now + ttlMs);
    return Promise.resolve(true);
  }

  isClaimed(linkId: string): Promise<boolean> {
    const until = this.claims.get(linkId);
    return Promise.resolve(until !== undefined && until > this.now().getTime());
  }

  release(linkId: string): Promise<void> {
    this.claims.delete(linkId);
    return Promise.resolve();
  }
}
