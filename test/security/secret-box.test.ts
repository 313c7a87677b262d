import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { SecretBox, SecretBoxError } from '../../src/security/secret-box.js';
import { loadSecretsKey } from '../../src/security/secrets-key.js';

const box = SecretBox.fromKey(randomBytes(32));

describe('SecretBox', () => {
  it('seals so that only the same key and context open it', () => {
    const sealed = box.seal('token-123', 'integration:acme:token');
    expect(SecretBox.isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('token-123');
    expect(box.open(sealed, 'integration:acme:token')).toBe('token-123');
    // A random IV: sealing twice gives two different texts.
    expect(box.seal('token-123', 'x')).not.toBe(box.seal('token-123', 'x'));
  });

  it('refuses a value moved to another field, altered, truncated, or sealed with another key', () => {
    const sealed = box.seal('segredo', 'integration:acme:token');
    expect(() => box.open(sealed, 'integration:other:token')).toThrow(SecretBoxError);
    const raw = Buffer.from(sealed.slice(4), 'base64url');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(() => box.open(`sb1.${raw.toString('base64url')}`, 'integration:acme:token')).toThrow(
      /does not open/,
    );
    expect(() => box.open('sb1.abc')).toThrow(/truncated/);
    expect(() => box.open('plain text')).toThrow(/not a sealed secret/);
    expect(() => SecretBox.fromKey(randomBytes(32)).open(sealed, 'integration:acme:token')).toThrow(
      SecretBoxError,
    );
    expect(() => SecretBox.fromKey(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('round-trips text of any length, including empty and non-ASCII', () => {
    for (const text of ['', 'ção 🚀', 'x'.repeat(100_000)])
      expect(box.open(box.seal(text))).toBe(text);
  });
});

describe('the secrets key', () => {
  it('is generated once into the key file (mode 0600) and read back after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-key-'));
    const keyFile = join(dir, 'nested', 'secrets.key');
    const first = loadSecretsKey({ keyFile });
    expect(first.generated).toBe(true);
    expect(first.key).toHaveLength(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const second = loadSecretsKey({ keyFile });
    expect(second.generated).toBe(false);
    expect(Buffer.from(second.key).equals(Buffer.from(first.key))).toBe(true);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(Buffer.from(first.key).toString('base64'));
  });

  it('prefers SECRETS_KEY, and refuses a key file that does not hold 32 bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-key-'));
    const key = randomBytes(32);
    const config = loadConfig({
      SECRETS_KEY: key.toString('base64'),
      DATABASE_URL: `file:${dir}/a.db`,
    });
    expect(Buffer.from(config.secrets.key!).equals(key)).toBe(true);
    expect(config.secrets.keyFile).toBe(join(dir, 'secrets.key'));
    expect(loadSecretsKey(config.secrets).generated).toBe(false);

    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'c2hvcnQ=\n');
    expect(() => loadSecretsKey({ keyFile: bad })).toThrow(/32-byte key/);
  });

  it('is validated by the config: a short or non-base64 SECRETS_KEY is a clear error', () => {
    for (const value of ['short', randomBytes(16).toString('base64'), 'é'.repeat(44)]) {
      expect(() => loadConfig({ SECRETS_KEY: value })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ SECRETS_KEY: 'x' })).toThrow(/SECRETS_KEY: must be 32 bytes/);
  });
});
