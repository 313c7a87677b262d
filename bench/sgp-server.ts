// The server the SGP benchmark measures, in its own process as in production: it runs the SGP
// cycle (POST /admin/sync-runs) and serves viability. GET /bench/memory reports its memory.
// Prints one JSON line {url, key, adminKey} when ready.
import { Router } from 'express';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createApiKey } from '../src/ozmap-model/api-keys.js';
import { startServer } from '../src/server.js';
import { UNLIMITED_RATES } from './rate-limits.js';

let peak = { rss: 0, heapUsed: 0 };
const sample = () => {
  const m = process.memoryUsage();
  peak = { rss: Math.max(peak.rss, m.rss), heapUsed: Math.max(peak.heapUsed, m.heapUsed) };
};
setInterval(sample, 100).unref();
const diagnostic = Router();
diagnostic.get('/memory', (req, res) => {
  sample();
  const now = process.memoryUsage();
  res.json({ now: { rss: now.rss, heapUsed: now.heapUsed }, peak });
  if (req.query.reset === '1') peak = { rss: now.rss, heapUsed: now.heapUsed };
});

const config = loadConfig({
  DATABASE_URL: process.env.DATABASE_URL,
  // The cycle's own knobs pass through (e.g. SYNC_CYCLE_REST_RATIO=0 for the unpaced figures).
  SYNC_CYCLE_THREAD: process.env.SYNC_CYCLE_THREAD,
  SYNC_CYCLE_REST_RATIO: process.env.SYNC_CYCLE_REST_RATIO,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
  DEMO_NETWORK: 'off',
  ...UNLIMITED_RATES,
  SECRETS_KEY: 'q6mQv2I4dQyXqX0m8m0T1pWlq0Zl8y8v6u2tQx3r5s4=',
});
const running = await startServer(config, createLogger(config.logLevel), {
  jobs: false,
  routers: [{ path: '/bench', router: diagnostic }],
});
await running.ctx.integrations.ensureBindable('admin');
const { key } = await createApiKey(running.ctx.db, 'bench');
const admin = await createApiKey(running.ctx.db, 'bench-admin', 'admin');
process.stdout.write(`${JSON.stringify({ url: running.url, key, adminKey: admin.key })}\n`);
process.on('SIGTERM', () => {
  void running.close().then(() => process.exit(0));
});
