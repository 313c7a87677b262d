// The simulated Geogrid for the Geogrid benchmark, in its own process (its network is not counted
// in the server's memory), over HTTPS with a CA made now (the driver hands its file to the server
// as NODE_EXTRA_CA_CERTS). Generates BENCH_GEOGRID_ITEMS network items, of which
// BENCH_GEOGRID_BOXES CTOs with a service splitter (1x8 or 1x16, ~40% of ports taken by Geogrid
// clients, a few reserved), a fifth of the rest splice boxes with a distribution splitter and the
// others poles. A loopback control port lets the driver add and move items between runs.
// Prints one JSON line {url, token, caFile, control, items, clients} when ready.
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GeogridSimulator } from '../test/support/geogrid-simulator.js';
import { makeTestTls } from '../test/support/test-tls.js';
import { random } from './data.js';

const ITEMS = Number(process.env.BENCH_GEOGRID_ITEMS ?? 100_000);
const BOXES = Number(process.env.BENCH_GEOGRID_BOXES ?? 30_000);

export function itemPoint(i: number): { lat: number; lng: number } {
  return { lat: -23.3 - (i % 300) * 0.0011, lng: -51.8 - Math.floor(i / 300) * 0.0011 };
}

const tls = makeTestTls(mkdtempSync(join(tmpdir(), 'alcance-gg-bench-tls-')));
const sim = await GeogridSimulator.start({ tls, token: 'gg-bench-5e2a', account: 'bench' });
sim.recordRequests = false;
const rnd = random(17);
for (let i = 0; i < ITEMS; i++) {
  const p = itemPoint(i);
  if (i < BOXES) {
    const ports = rnd() < 0.7 ? 8 : 16;
    const clients: Record<number, { nome: string }> = {};
    const reserved: number[] = [];
    for (let n = 1; n <= ports; n++) {
      const r = rnd();
      if (r < 0.4) clients[n] = { nome: `Cliente ${i}-${n}` };
      else if (r < 0.42) reserved.push(n);
    }
    sim.addItem({ sigla: `CTO-${i + 1}`, ...p, splitters: [{ ports, clients, reserved }] });
  } else if ((i - BOXES) % 5 === 0) {
    sim.addItem({
      type: 'caixa',
      sigla: `CEO-${i + 1}`,
      ...p,
      splitters: [{ ports: 4, service: false }],
    });
  } else {
    sim.addItem({ type: 'poste', sigla: `P-${i + 1}`, ...p, splitters: [] });
  }
}

// Control for the driver (loopback, plain HTTP, benchmark only): add or move a CTO.
const control = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const input = (body ? JSON.parse(body) : {}) as {
      lat?: number;
      lng?: number;
      id?: number;
      meters?: number;
    };
    let out: unknown = {};
    if (req.url === '/add')
      out = {
        id: sim.addItem({
          sigla: `NEW-${Date.now()}`,
          lat: input.lat,
          lng: input.lng,
          splitters: [{ ports: 8 }],
        }).id,
      };
    else if (req.url === '/move' && input.id !== undefined) {
      sim.moveNorth(input.id, input.meters ?? 1000);
      out = { id: input.id };
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  });
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
process.stdout.write(
  `${JSON.stringify({
    url: sim.url,
    token: sim.token,
    caFile: tls.caFile,
    control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    items: sim.itemCount,
    clients: sim.clientList.length,
  })}\n`,
);
process.on('SIGTERM', () => {
  control.close();
  void sim.close().then(() => process.exit(0));
});
