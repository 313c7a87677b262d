import { z } from 'zod';
import {
  deriveSealKeys,
  loadSecret,
  openToken,
  sealToken,
  type SealKeys,
} from '../../http/sealed-token.js';
import type { Db } from '../../ozmap-model/db/client.js';
import type { SecretBox } from '../../security/secret-box.js';
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
  /** OZmap's `viabilityTags`: only boxes in regions carrying one of these tags count. */
  tags?: string[];
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
  tags: z.array(z.string().max(100)).max(20).optional(),
  lat: z.number().finite().min(-90).max(90),
  lng: z.number().finite().min(-180).max(180),
  exp: z.number().int().positive(),
});
type Payload = z.infer<typeof PayloadSchema>;

const MAX_TOKEN_LENGTH = 2048;

/**
 * Sealed session tokens (src/http/sealed-token.ts), the same construction as the FindME links.
 * The payload is encrypted because it holds the client's name and address; the MAC, checked in
 * constant time before decrypting, makes any change detectable. Keys are derived from one secret
 * with HKDF, under OZloc's own salt.
 */
export class OzlocSessions {
  private readonly keys: SealKeys;

  constructor(
    secret: string,
    private readonly ttlMs: number,
    private readonly now: () => Date,
  ) {
    this.keys = deriveSealKeys(secret, {
      secretName: 'OZloc session secret',
      salt: 'alcance-ozloc',
      encryptionInfo: 'session-encryption',
      macInfo: 'session-mac',
    });
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
      ...(session.tags?.length ? { tags: session.tags } : {}),
    };
    return { token: this.seal(payload), expiresAt: new Date(exp * 1000) };
  }

  /** Checks signature, shape and expiry. Never throws for a bad token. */
  verify(token: string): SessionCheck {
    const opened = openToken(this.keys, token, MAX_TOKEN_LENGTH, PayloadSchema);
    if (!opened.ok) return opened;
    const p = opened.payload;
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
        ...(p.tags ? { tags: p.tags } : {}),
      },
    };
  }

  /** Encrypts and signs any payload. Public for tests that need a correctly signed odd payload. */
  seal(payload: unknown): string {
    return sealToken(this.keys, payload);
  }
}

/**
 * OZloc's signing secret, kept in the KeyValue table and created on first use, so sessions
 * survive a restart and every instance agrees (the loser of a concurrent insert re-reads).
 */
export function loadOzlocSecret(db: Db, box: SecretBox): Promise<string> {
  return loadSecret(db, box, 'ozloc');
}
