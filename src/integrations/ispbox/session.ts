import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { z } from 'zod';
import { isUniqueViolation, type Db } from '../../ozmap-model/db/client.js';
import type { GeoPoint } from '../../services/geo-input.js';

/**
 * One OZloc visit, as the page's API calls carry it: which API key opened the page, for which
 * client, at which point, until when. The raw key never reaches the browser; this does, sealed.
 */
export interface OzlocSession {
  keyId: string;
  clientCode: string;
  clientName?: string;
  address?: string;
  /** Ispbox's `integration_code`, kept with the reservation. */
  integrationCode?: string;
  point: GeoPoint;
  expiresAt: Date;
}

export type SessionProblem = 'malformed' | 'tampered' | 'expired';

export type SessionCheck =
  { ok: true; session: OzlocSession } | { ok: false; reason: SessionProblem };

const PayloadSchema = z.object({
  v: z.literal(1),
  kid: z.string().min(1).max(64),
  code: z.string().min(1).max(100),
  name: z.string().max(200).optional(),
  addr: z.string().max(300).optional(),
  ic: z.string().max(100).optional(),
  lat: z.number().finite().min(-90).max(90),
  lng: z.number().finite().min(-180).max(180),
  exp: z.number().int().positive(),
});
type Payload = z.infer<typeof PayloadSchema>;

const MAX_TOKEN_LENGTH = 2048;

/**
 * Sealed session tokens: base64url(iv ‖ AES-256-CTR(payload)) "." base64url(HMAC-SHA256(first
 * part)), the same construction as the FindME links. The payload is encrypted because it holds
 * the client's name and address; the MAC, checked in constant time before decrypting, makes any
 * change detectable. Keys are derived from one secret with HKDF, under OZloc's own salt.
 */
export class OzlocSessions {
  private readonly encryption: Buffer;
  private readonly mac: Buffer;

  constructor(
    secret: string,
    private readonly ttlMs: number,
    private readonly now: () => Date,
  ) {
    if (secret.length < 32) throw new Error('OZloc session secret must be at least 32 characters');
    const derive = (info: string) =>
      Buffer.from(hkdfSync('sha256', secret, 'alcance-ozloc', info, 32));
    this.encryption = derive('session-encryption');
    this.mac = derive('session-mac');
  }

  /** A new token for this visit; `expiresAt` is in whole seconds, as the token carries it. */
  create(session: Omit<OzlocSession, 'expiresAt'>): { token: string; expiresAt: Date } {
    const exp = Math.floor((this.now().getTime() + this.ttlMs) / 1000);
    const payload: Payload = {
      v: 1,
      kid: session.keyId,
      code: session.clientCode,
      lat: session.point.lat,
      lng: session.point.lng,
      exp,
      ...(session.clientName ? { name: session.clientName } : {}),
      ...(session.address ? { addr: session.address } : {}),
      ...(session.integrationCode ? { ic: session.integrationCode } : {}),
    };
    return { token: this.seal(payload), expiresAt: new Date(exp * 1000) };
  }

  /** Checks signature, shape and expiry. Never throws for a bad token. */
  verify(token: string): SessionCheck {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
      return { ok: false, reason: 'malformed' };
    }
    if (!/^[\w-]+\.[\w-]+$/.test(token)) return { ok: false, reason: 'malformed' };
    const [sealed = '', signature = ''] = token.split('.');
    const expected = this.sign(sealed);
    const given = Buffer.from(signature, 'base64url');
    // timingSafeEqual needs equal lengths; the length of a MAC is no secret.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'tampered' };
    }
    const body = Buffer.from(sealed, 'base64url');
    if (body.length <= 16) return { ok: false, reason: 'malformed' };
    const decipher = createDecipheriv('aes-256-ctr', this.encryption, body.subarray(0, 16));
    const json = Buffer.concat([decipher.update(body.subarray(16)), decipher.final()]).toString();
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const payload = PayloadSchema.safeParse(parsed);
    if (!payload.success) return { ok: false, reason: 'malformed' };
    const p = payload.data;
    if (p.exp * 1000 <= this.now().getTime()) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      session: {
        keyId: p.kid,
        clientCode: p.code,
        point: { lat: p.lat, lng: p.lng },
        expiresAt: new Date(p.exp * 1000),
        ...(p.name ? { clientName: p.name } : {}),
        ...(p.addr ? { address: p.addr } : {}),
        ...(p.ic ? { integrationCode: p.ic } : {}),
      },
    };
  }

  /** Encrypts and signs any payload. Public for tests that need a correctly signed odd payload. */
  seal(payload: unknown): string {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-ctr', this.encryption, iv);
    const body = Buffer.concat([
      iv,
      cipher.update(JSON.stringify(payload), 'utf8'),
      cipher.final(),
    ]);
    const sealed = body.toString('base64url');
    return `${sealed}.${this.sign(sealed).toString('base64url')}`;
  }

  private sign(data: string): Buffer {
    return createHmac('sha256', this.mac).update(data).digest();
  }
}

const SECRET_NAMESPACE = 'ozloc';
const SECRET_KEY = 'secret';

/**
 * OZloc's signing secret, kept in the KeyValue table and created on first use, so sessions
 * survive a restart and every instance agrees (the loser of a concurrent insert re-reads).
 */
export async function loadOzlocSecret(db: Db): Promise<string> {
  const where = { namespace_key: { namespace: SECRET_NAMESPACE, key: SECRET_KEY } };
  const existing = await db.keyValue.findUnique({ where });
  if (existing) return existing.value;
  try {
    const value = randomBytes(32).toString('base64url');
    await db.keyValue.create({ data: { namespace: SECRET_NAMESPACE, key: SECRET_KEY, value } });
    return value;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const winner = await db.keyValue.findUnique({ where });
    if (!winner) throw err;
    return winner.value;
  }
}
