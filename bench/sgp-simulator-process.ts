// The simulated SGP for the SGP benchmark, in its own process so its data (the whole ERP base)
// is not counted in the server's memory. Generates BENCH_SGP_CONTRACTS contracts over boxes
// named CTO-00001…CTO-<BENCH_SGP_BOXES>, then prints one JSON line {url, token, app, contracts}.
import { SgpSimulator } from '../test/support/sgp-simulator.js';
import { random } from './data.js';

const CONTRACTS = Number(process.env.BENCH_SGP_CONTRACTS ?? 50_000);
const BOXES = Number(process.env.BENCH_SGP_BOXES ?? 20_000);
const PORTS = Number(process.env.BENCH_SGP_PORTS ?? 16);

export function boxName(i: number): string {
  return `CTO-${String(i + 1).padStart(5, '0')}`;
}

const sim = await SgpSimulator.start({ token: 'tok-bench-7c1d', app: 'AlcanceBench' });
sim.recordRequests = false;
sim.today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(new Date());
const rnd = random(13);
// Realistic mix: mostly active; some suspended, new, throttled, inactive, cancelled.
const STATUSES: Array<[number, number]> = [
  [1, 0.85],
  [4, 0.04],
  [6, 0.03],
  [7, 0.02],
  [2, 0.02],
  [3, 0.03],
  [5, 0.01],
];
function status(): number {
  let r = rnd();
  for (const [s, p] of STATUSES) {
    if ((r -= p) < 0) return s;
  }
  return 1;
}
const used = new Map<number, number>();
let lastCustomer: number | undefined;
for (let i = 0; i < CONTRACTS; i++) {
  const box = Math.floor((i * BOXES) / CONTRACTS);
  const port = (used.get(box) ?? 0) + 1;
  used.set(box, port);
  const roll = rnd();
  // 1% name a CTO the map does not have; 0.5% have no ONU on a CTO.
  const cto = roll < 0.01 ? `CTO-X-${i}` : roll < 0.015 ? null : boxName(box);
  const lat = -23.3 - (box % 150) * 0.0021 + rnd() * 0.0004;
  const lng = -51.8 - Math.floor(box / 150) * 0.0021 + rnd() * 0.0004;
  const { customerId } = sim.addContract({
    // One customer in ten holds a second contract.
    customerId: lastCustomer !== undefined && rnd() < 0.1 ? lastCustomer : undefined,
    name: `Cliente ${i}`,
    document: String(10_000_000_000 + i),
    status: status(),
    cto,
    port: port <= PORTS ? port : null,
    rx: rnd() < 0.05 ? 'N/A' : `${(-15 - rnd() * 12).toFixed(3)}`,
    connection: rnd() < 0.9 ? 'online' : 'offline',
    lat: lat.toFixed(6),
    lng: lng.toFixed(6),
    address: { logradouro: `Rua ${box}`, numero: String(port) },
  });
  lastCustomer = customerId;
}
process.stdout.write(
  `${JSON.stringify({ url: sim.url, token: sim.token, app: sim.app, contracts: sim.contractCount })}\n`,
);
process.on('SIGTERM', () => {
  void sim.close().then(() => process.exit(0));
});
