import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SecretBoxError } from './secret-box.js';

export interface SecretsKeySource {
  /** From SECRETS_KEY (already decoded and length-checked by the config). */
  key?: Uint8Array;
  /** Where the embedded default keeps a generated key. */
  keyFile: string;
}

/**
 * The key that seals secrets at rest: SECRETS_KEY when set, else the key file, created once (mode
 * 0600) when missing. Instances that share a database must share the key: set SECRETS_KEY.
 */
export function loadSecretsKey(source: SecretsKeySource): { key: Uint8Array; generated: boolean } {
  if (source.key) return { key: source.key, generated: false };
  const path = resolve(source.keyFile);
  const existing = readKeyFile(path);
  if (existing) return { key: existing, generated: false };
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(32);
  try {
    // 'wx': two processes starting at once (server and CLI) must not each write their own key.
    writeFileSync(path, `${key.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    return { key, generated: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = readKeyFile(path);
    if (!raced) throw new SecretBoxError(`${path} is empty`);
    return { key: raced, generated: false };
  }
}

function readKeyFile(path: string): Uint8Array | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text === '') return undefined;
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new SecretBoxError(`${path} must hold a base64 32-byte key (got ${key.length} bytes)`);
  }
  return key;
}
