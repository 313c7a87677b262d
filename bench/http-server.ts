// The server the HTTP load run measures, in its own process (as in production), so the load
// generator does not share its event loop. Prints one JSON line {url, key} when ready.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createApiKey } from '../src/ozmap-model/api-keys.js';
import { seedDemoIfEmpty } from '../src/ozmap-model/demo-network/seed.js';
import { CITY } from '../src/ozmap-model/demo-network/maringa.js';
import { Router } from 'express';
import { startServer } from '../src/server.js';
import { UNLIMITED_RATES } from './rate-limits.js';

// Diagnostic for the HTTP table: a fixed body the size of a typical viability answer, behind
// the same middleware, separates "bytes on the wire" from the route's own work.
let fixedBody = '{}';
const diagnostic = Router();
diagnostic.get('/fixed', (_req, res) => {
  res.type('application/json').send(fixedBody);
});

const logger = createLogger('silent');
const config = loadConfig({
  DATABASE_URL: process.env.DATABASE_URL,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
  DEMO_NETWORK: 'off',
  ...UNLIMITED_RATES,
});
const running = await startServer(config, createLogger(config.logLevel), {
  jobs: false,
  routers: [{ path: '/bench', router: diagnostic }],
  beforeListen: async ({ db }) => {
    await seedDemoIfEmpty(db, 42, logger);
  },
});
const { key } = await createApiKey(running.ctx.db, 'bench');
const sample = await fetch(
  `${running.url}/api/v2/ftth-viability/radius?lat=${CITY.centre.lat}&lng=${CITY.centre.lng}&radius=300`,
  { headers: { authorization: key } },
);
fixedBody = await sample.text();
process.stdout.write(`${JSON.stringify({ url: running.url, key })}\n`);
process.on('SIGTERM', () => {
  void running.close().then(() => process.exit(0));
});
