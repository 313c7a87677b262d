import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { z } from 'zod';
import { isUniqueViolation, type Db } from '../ozmap-model/db/client.js';
import { SecretBox } from '../security/secret-box.js';

/**
 * Sealed tokens, as FindME links and OZloc sessions carry them:
 * base64url(iv ‖ AES-256-CTR(JSON payload)) "." base64url(HMAC-SHA256(first part)).
 * The payload is encrypted because it holds personal data and URLs end up in logs; the MAC,
 * checked in constant time before decrypting, makes any change to the token detectable.
 */
export interface SealKeys {
  encryption: Buffer;
  mac: Buffer;
}

/** What the keys are derived under: each feature has its own HKDF salt and infos. */
export interface SealKeyLabels {
  /** Names the secret in the error for a short one, e.g. "FindME secret". */
  secretName: string;
  salt: string;
  encryptionInfo: string;
  macInfo: string;
}

export type OpenedToken<T> =
  { ok: true; payload: T } | { ok: false; reason: 'malformed' | 'tampered' };

const IV_BYTES = 16;
const TOKEN_PATTERN = /^[\w-]+\.[\w-]+$/;

/** Encryption and MAC keys from one secret (at least 32 characters) with HKDF-SHA256. */
export function deriveSealKeys(secret: string, labels: SealKeyLabels): SealKeys {
  if (secret.length < 32) throw new Error(`${labels.secretName} must be at least 32 characters`);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, labels.salt, info, 32));
  return { encryption: derive(labels.encryptionInfo), mac: derive(labels.macInfo) };
}

/** Encrypts and signs a payload. */
export function sealToken(keys: SealKeys, payload: unknown): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-ctr', keys.encryption, iv);
  const body = Buffer.concat([iv, cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  const sealed = body.toString('base64url');
  return `${sealed}.${mac(keys, sealed).toString('base64url')}`;
}

/** Checks length, form and MAC, then decrypts and validates the payload. Never throws. */
export function openToken<T>(
  keys: SealKeys,
  token: string,
  maxLength: number,
  schema: z.ZodType<T>,
): OpenedToken<T> {
  if (typeof token !== 'string' || token.length > maxLength || !TOKEN_PATTERN.test(token)) {
    return { ok: false, reason: 'malformed' };
  }
  const [sealed = '', signature = ''] = token.split('.');
  const expected = mac(keys, sealed);
  const given = Buffer.from(signature, 'base64url');
  // timingSafeEqual needs equal lengths; the length of a MAC is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'tampered' };
  }
  const body = Buffer.from(sealed, 'base64url');
  if (body.length <= IV_BYTES) return { ok: false, reason: 'malformed' };
  const decipher = createDecipheriv('aes-256-ctr', keys.encryption, body.subarray(0, IV_BYTES));
  const json = Buffer.concat([decipher.update(body.subarray(IV_BYTES)), decipher.final()]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString());
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const payload = schema.safeParse(parsed);
  return payload.success ? { ok: true, payload: payload.data } : { ok: false, reason: 'malformed' };
}

function mac(keys: SealKeys, data: string): Buffer {
  return createHmac('sha256', keys.mac).update(data).digest();
}

const SECRET_KEY = 'secret';

/** The SecretBox context of a stored signing secret: it opens only as this namespace's secret. */
export function secretContext(namespace: string): string {
  return `keyvalue:${namespace}:secret`;
}

/**
 * The configured secret, or the one kept in the KeyValue table under `namespace`, sealed with the
 * SecretBox (SECRETS_KEY), created on first use so tokens survive restarts. A secret stored in
 * clear by an earlier version is sealed in place on first read, keeping its value (links already
 * sent keep working). Two instances starting together agree: the loser of the insert re-reads.
 */
export async function loadSecret(
  db: Db,
  box: SecretBox,
  namespace: string,
  configured?: string,
): Promise<string> {
  if (configured) return configured;
  const context = secretContext(namespace);
  const where = { namespace_key: { namespace, key: SECRET_KEY } };
  const existing = await db.keyValue.findUnique({ where });
  if (existing) {
    if (SecretBox.isSealed(existing.value)) return box.open(existing.value, context);
    // Only the row still holding this plain value is sealed, so a concurrent migration is harmless.
    await db.keyValue.updateMany({
      where: { namespace, key: SECRET_KEY, value: existing.value },
      data: { value: box.seal(existing.value, context) },
    });
    return existing.value;
  }
  const value = randomBytes(32).toString('base64url');
  try {
    await db.keyValue.create({
      data: { namespace, key: SECRET_KEY, value: box.seal(value, context) },
    });
    return value;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const winner = await db.keyValue.findUnique({ where });
    if (!winner) throw err;
    return SecretBox.isSealed(winner.value) ? box.open(winner.value, context) : winner.value;
  }
}
