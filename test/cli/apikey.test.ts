import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/ozmap-model/db/client.js';
import { ApiKeyVerifier } from '../../src/ozmap-model/api-keys.js';

const run = promisify(execFile);

describe('alcance apikey', () => {
  // Each step starts the CLI as its own process, as an operator would.
  it(
    'creates a key shown once, stores only its hash, lists and revokes it',
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'alcance-cli-'));
      const env = {
        ...process.env,
        DATABASE_URL: `file:${join(dir, 'cli.db')}`,
        LOG_LEVEL: 'silent',
      };
      const cli = (...args: string[]) => run('node', ['bin/alcance.js', ...args], { env });

      const created = await cli(
        'apikey',
        'create',
        '--name',
        'Conecte.ai',
        '--integration',
        'conecteai',
      );
      const key = created.stdout.trim();
      expect(key).toMatch(/^alc_[\w-]{43}$/);
      expect(created.stderr).toMatch(/shown only once/);

      const db = createDb(env.DATABASE_URL);
      const rows = await db.apiKey.findMany();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ name: 'Conecte.ai', integration: 'conecteai' });
      expect(JSON.stringify(rows)).not.toContain(key);
      expect(await new ApiKeyVerifier(db).verify(key)).toMatchObject({
        name: 'Conecte.ai',
        integration: 'conecteai',
      });

      expect((await cli('apikey', 'list')).stdout).toMatch(
        /Conecte\.ai\s+conecteai\s+read,write\s+active/,
      );
      // --scopes / --scope set what the key may do and see; an unknown scope is refused.
      const all = await cli('apikey', 'create', '--name', 'Auditor', '--scope', 'all');
      expect(all.stderr).toMatch(/scopes all/);
      const pii = await cli('apikey', 'create', '--name', 'Vendas', '--scopes', 'read,write,pii');
      expect(pii.stderr).toMatch(/scopes read,write,pii/);
      const bad = await cli('apikey', 'create', '--name', 'X', '--scopes', 'read,root').catch(
        (err: { code: number; stderr: string }) => err,
      );
      expect(bad).toMatchObject({ code: 1 });
      expect(bad.stderr).toMatch(/unknown scope "root"/);
      expect((await cli('apikey', 'list')).stdout).toMatch(/Auditor\s+generic\s+all\s+active/);
      await cli('apikey', 'revoke', 'Conecte.ai');
      expect(await new ApiKeyVerifier(db).verify(key)).toBeNull();
      expect((await cli('apikey', 'list')).stdout).toMatch(/revoked/);

      const noName = await cli('apikey', 'create').catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(noName).toMatchObject({ code: 1 });
      expect((noName as { stderr: string }).stderr).toMatch(/name is required/);
      await db.$disconnect();
    },
  );

  it('fails fast with every bad variable listed', { timeout: 60_000 }, async () => {
    const bad = await run('node', ['bin/alcance.js', 'migrate'], {
      env: { ...process.env, PORT: 'x', DATABASE_URL: 'oracle://nope' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toMatch(
      /PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*PORT/,
    );
  });
});
