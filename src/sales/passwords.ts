// Password hashing with node's built-in scrypt: memory-hard, maintained with node itself and
// needing no native build (argon2 would add a compiled addon to every install). The parameters
// travel with each hash, so raising the cost later still verifies old hashes, and
// `needsRehash` tells the login to upgrade them.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  /** log2 of scrypt's N (CPU/memory cost). */
  log2N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt option N=2^15, r=8, p=3 (32 MiB per hash). */
export const DEFAULT_COST: ScryptCost = { log2N: 15, r: 8, p: 3 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const PREFIX = 'scrypt';

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.log2N;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + (1 << 20) };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$15$8$3$<salt b64url>$<hash b64url>` */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, cost);
  return [
    PREFIX,
    cost.log2N,
    cost.r,
    cost.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const [prefix, n, r, p, salt, key] = stored.split('$');
  if (prefix !== PREFIX || !salt || !key) return undefined;
  const cost = { log2N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.log2N, cost.r, cost.p].every((v) => Number.isInteger(v) && v > 0)) return undefined;
  if (cost.log2N > 22) return undefined;
  return { cost, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.cost);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** The stored hash is weaker than `cost` (or unreadable): hash again after a good login. */
export function needsRehash(stored: string, cost = DEFAULT_COST): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const c = parsed.cost;
  return c.log2N < cost.log2N || c.r < cost.r || c.p < cost.p;
}

/**
 * A password for a person to type once and change: 4 groups of 4 characters from an alphabet
 * without look-alikes (0/O, 1/l/I), about 80 bits.
 */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(64);
  const chars: string[] = [];
  for (const b of bytes) {
    // Rejection sampling keeps every character equally likely.
    if (b >= 256 - (256 % alphabet.length)) continue;
    chars.push(alphabet[b % alphabet.length]!);
    if (chars.length === 16) break;
  }
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** A hash to verify against when the user does not exist, so the answer's timing does not tell. */
export function dummyHash(cost = DEFAULT_COST): string {
  const zeros = (n: number) => Buffer.alloc(n).toString('base64url');
  return [PREFIX, cost.log2N, cost.r, cost.p, zeros(SALT_LENGTH), zeros(KEY_LENGTH)].join('$');
}

export const MIN_PASSWORD_LENGTH = 10;
