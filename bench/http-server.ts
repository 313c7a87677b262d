// The server the HTTP load run measures, in its own process (as in production), so the load
// generator does not share its event loop. Prints one JSON line {url, key} when ready.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createApiKey } from '../src/ozmap-model/api-keys.js';
import { seedDemoIfEmpty } from '../src/ozmap-model/demo-network/seed.js';
import { startServer } from '../src/server.js';

const logger = createLogger('silent');
const config = loadConfig({
  DATABASE_URL: process.env.DATABASE_URL,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
  DEMO_NETWORK: 'off',
});
const running = await startServer(config, createLogger(config.logLevel), {
  jobs: false,
  beforeListen: async ({ db }) => {
    await seedDemoIfEmpty(db, 42, logger);
  },
});
const { key } = await createApiKey(running.ctx.db, 'bench');
process.stdout.write(`${JSON.stringify({ url: running.url, key })}\n`);
process.on('SIGTERM', () => {
  void running.close().then(() => process.exit(0));
});
