import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/ozmap-model/db/client.js';

/** Runs `alcance chat` as an operator would, typing `lines`; resolves with what it printed. */
function chat(
  env: NodeJS.ProcessEnv,
  lines: string[],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/alcance.js', 'chat'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

describe('alcance chat on the demo network', () => {
  it(
    'completes a reservation and, far from the network, a prospect',
    { timeout: 180_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'alcance-chat-'));
      const env = {
        ...process.env,
        DATABASE_URL: `file:${join(dir, 'chat.db')}`,
        LOG_LEVEL: 'warn',
        DEMO_NETWORK: 'auto',
      };

      const reserved = await chat(env, [
        'oi',
        '1',
        '/loc -23.4253 -51.9386',
        'sim',
        'Avenida Brasil, 1500, apto 1',
        'Maria da Silva',
        '44999990000',
        '529.982.247-25',
        'maria@example.com',
        'sim',
      ]);
      expect(reserved.code).toBe(0);
      expect(reserved.out).toMatch(/sua instalação está reservada até/);
      expect(reserved.out).not.toMatch(/CTO-MGA|Porta:/);

      const prospect = await chat(env, [
        'oi',
        '1',
        '/loc -23.60 -51.60',
        'sim',
        'Rua Projetada, 10',
        'João Souza',
        '44988887777',
      ]);
      expect(prospect.code).toBe(0);
      expect(prospect.out).toMatch(/ainda não atende a região/i);

      const db = createDb(env.DATABASE_URL);
      try {
        const client = await db.ftthClient.findFirstOrThrow({
          where: { reservedBy: 'chatbot:terminal' },
          include: { property: { include: { box: true } } },
        });
        expect(client).toMatchObject({
          implanted: false,
          name: 'Maria da Silva',
          document: '52998224725',
        });
        expect(client.property?.box?.name).toMatch(/^CTO-MGA-\d+$/);
        expect(client.property?.port).toBeGreaterThan(0);
        expect(client.property?.address).toBe('Avenida Brasil, 1500 (apto 1)');
        const lead = await db.prospect.findFirstOrThrow({
          where: { source: 'chatbot:terminal' },
          include: { tags: true },
        });
        expect(lead).toMatchObject({ name: 'João Souza', viable: false, outOfArea: true });
        expect(lead.tags.map((t) => t.name).sort()).toEqual(['chatbot', 'sem-cobertura']);
      } finally {
        await db.$disconnect();
      }
    },
  );
});
