// HTTP load: GET /api/v2/ftth-viability/radius against GET /health on the real server (temp
// SQLite database seeded with the Maringá demo network, in its own process), with autocannon.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { CITY } from '../src/ozmap-model/demo-network/maringa.js';
import { random } from './data.js';

export interface HttpResult {
  route: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** The server does not serve the viability route (yet): nothing to measure. */
export class HttpRouteUnavailable extends Error {}

export async function runHttpLoad(seconds: number, connections: number): Promise<HttpResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'alcance-bench-'));
  const server = spawn(process.execPath, ['--import', 'tsx', 'bench/http-server.ts'], {
    env: { ...process.env, DATABASE_URL: `file:${join(dir, 'bench.db')}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(createInterface({ input: server.stdout }), 'line')) as [string];
    const { url, key } = JSON.parse(line) as { url: string; key: string };
    const probe = await fetch(
      `${url}/api/v2/ftth-viability/radius?lat=${CITY.centre.lat}&lng=${CITY.centre.lng}`,
      { headers: { authorization: key } },
    );
    if (probe.status !== 200) {
      throw new HttpRouteUnavailable(
        `viability route answered ${probe.status}: ${await probe.text()}`,
      );
    }
    // Customer points spread over the served area, varied per request.
    const rnd = random(7);
    const points = Array.from({ length: 1000 }, () => [
      CITY.centre.lat + (rnd() - 0.5) * 0.027,
      CITY.centre.lng + (rnd() - 0.5) * 0.029,
    ]);
    let next = 0;
    const viability = await load(url, seconds, connections, {
      headers: { authorization: key },
      setupRequest: (req) => {
        const [lat, lng] = points[next++ % points.length]!;
        return { ...req, path: `/api/v2/ftth-viability/radius?lat=${lat}&lng=${lng}&radius=300` };
      },
    });
    const health = await load(url, seconds, connections, { path: '/health' });
    const fixed = await load(url, seconds, connections, { path: '/bench/fixed' });
    return [
      { route: 'GET /api/v2/ftth-viability/radius', ...viability },
      { route: 'GET /health', ...health },
      { route: 'GET /bench/fixed (same-size fixed body, diagnostic)', ...fixed },
    ];
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function load(
  url: string,
  seconds: number,
  connections: number,
  request: autocannon.Request,
): Promise<Omit<HttpResult, 'route'>> {
  const result = await autocannon({ url, duration: seconds, connections, requests: [request] });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}
