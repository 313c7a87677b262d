import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';

// Issue 10 item 8: SIGTERM under load. The service as production runs it (`alcance serve` in its
// own process) takes reservations and list queries from several clients; SIGTERM arrives in the
// middle. The whole shutdown must fit in SHUTDOWN_TIMEOUT_MS (plus the exit), log no error, run
// no handler after "stopped", exit 0, and leave no half-written reservation. Bounded: each
// client sends at most 150 requests and stops at the exit or after 20 s.
const SHUTDOWN_MS = 2_000;
const CLIENTS = 6;
const MAX_REQUESTS = 150;

interface LogLine {
  level: number;
  msg: string;
  time: number;
  [k: string]: unknown;
}

describe.each(testProviders())('SIGTERM under load on %s', (provider) => {
  let database: TestDatabase;
  let key: string;

  beforeAll(async () => {
    database = await freshDatabase(provider);
    key = (await createApiKey(database.db, 'sigterm-load', 'generic')).key;
  });
  afterAll(async () => database?.drop());

  it(
    'stops within SHUTDOWN_TIMEOUT_MS, cleanly, with every reservation whole',
    { timeout: 180_000 },
    async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: database.url,
          PORT: '0',
          HOST: '127.0.0.1',
          DEMO_NETWORK: 'auto',
          LOG_LEVEL: 'info',
          SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_MS),
          SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const logs: LogLine[] = [];
      const other: string[] = [];
      child.stderr.on('data', (d: Buffer) => other.push(d.toString()));
      const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
        child.once('exit', (code) => resolve({ code, at: Date.now() })),
      );
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start: ${other.join('')}`)), 90_000);
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (!line.startsWith('{')) return void other.push(line);
          const entry = JSON.parse(line) as LogLine;
          logs.push(entry);
          if (entry.msg === 'listening') {
            clearTimeout(timer);
            resolve(String(entry.url));
          }
        });
        void exited.then(({ code }) => reject(new Error(`exited with ${code}: ${other.join('')}`)));
      });
      const headers = { authorization: key, 'content-type': 'application/json' };
      const boxes = (await (await fetch(`${url}/api/v2/boxes?limit=100`, { headers })).json()) as {
        rows: Array<{ id: string; coords: [number, number] }>;
      };
      expect(boxes.rows.length).toBeGreaterThan(50);

      let gone = false;
      void exited.then(() => (gone = true));
      const statuses: Record<string, number> = {};
      const refusals = new Set<string>();
      const deadline = Date.now() + 20_000;
      const client = async (c: number) => {
        for (let n = 0; n < MAX_REQUESTS && !gone && Date.now() < deadline; n++) {
          const box = boxes.rows[(c * MAX_REQUESTS + n) % boxes.rows.length]!;
          const request =
            n % 2 === 0
              ? fetch(`${url}/api/v2/properties`, {
                  method: 'POST',
                  headers,
                  body: JSON.stringify({
                    box: box.id,
                    coords: box.coords,
                    client: {
                      code: `SIGTERM-${c}-${n}`,
                      name: 'Cliente de carga',
                      implanted: false,
                    },
                    auto_connect: true,
                  }),
                })
              : fetch(`${url}/api/v2/ftth-clients?limit=200`, { headers });
          const status = await request.then(
            async (res) => {
              const text = await res.text();
              if (res.status === 400) refusals.add(text.slice(0, 200));
              return String(res.status);
            },
            () => 'cut',
          );
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      };
      const load = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
      // Under load for a moment, then the signal.
      await new Promise((r) => setTimeout(r, 1_500));
      const signalledAt = Date.now();
      child.kill('SIGTERM');
      const { code, at } = await exited;
      await load;

      const elapsed = at - signalledAt;
      console.log(
        `sigterm ${provider}: exit ${code} after ${elapsed} ms; ${JSON.stringify(statuses)} ${[...refusals].join(' | ')}`,
      );
      expect(code).toBe(0);
      // The shutdown's budget, plus the process's own exit (its last stray timers get 500 ms).
      expect(elapsed).toBeLessThan(SHUTDOWN_MS + 1_500);
      expect(statuses['201']).toBeGreaterThan(0);
      expect(statuses['500']).toBeUndefined();
      expect(refusals).toEqual(new Set());
      const stopped = logs.findIndex((l) => l.msg === 'stopped');
      expect(stopped).toBeGreaterThan(0);
      // Nothing ran on after "stopped", and nothing failed on the way down.
      expect(logs.slice(stopped + 1)).toEqual([]);
      expect(logs.filter((l) => l.level >= 50)).toEqual([]);
      expect(JSON.stringify(logs) + other.join('')).not.toMatch(/Transaction not found/i);

      // Every reservation is whole: each client made has its property, on a port, and each 201
      // answered is one of them.
      const made = await database.db.ftthClient.findMany({
        where: { code: { startsWith: 'SIGTERM-' } },
        select: { id: true, property: { select: { port: true } } },
      });
      expect(made.length).toBeGreaterThanOrEqual(statuses['201']!);
      for (const c of made) {
        expect(c.property?.port).toEqual(expect.any(Number));
      }
    },
  );
});
