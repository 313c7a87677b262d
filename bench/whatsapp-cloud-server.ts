// The server the WhatsApp Cloud API webhook benchmark posts to, in its own process (as in
// production), with the channel pointed at the benchmark's simulated Cloud API (its WHATSAPP_CLOUD_*
// variables come from the environment). Prints one JSON line {url} when ready.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server.js';
import { UNLIMITED_RATES } from './rate-limits.js';

const config = loadConfig({
  ...process.env,
  ...UNLIMITED_RATES,
  HOST: '127.0.0.1',
  PORT: '0',
  DEMO_NETWORK: 'off',
});
const running = await startServer(config, createLogger(config.logLevel), { jobs: false });
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
process.on('SIGTERM', () => {
  void running.close().then(() => process.exit(0));
});
