// One service instance in its own process, as production runs it (configuration from the
// environment), with WhatsApp connected to the simulated hub when FAKE_WHATSAPP_URL is set.
// Prints one line `ALCANCE_INSTANCE {"url":…,"pid":…}` when it listens.
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/server.js';
import { hubConnector } from '../support/fake-whatsapp.js';

const config = loadConfig(process.env);
const logger = createLogger(config.logLevel);
const name = process.env.INSTANCE_NAME ?? String(process.pid);
const hub = process.env.FAKE_WHATSAPP_URL;
const running = await startServer(config, logger, {
  webDist: process.env.WEB_DIST,
  whatsappConnect: hub ? hubConnector(hub, name, config.whatsapp?.session) : undefined,
});
process.stdout.write(
  `ALCANCE_INSTANCE ${JSON.stringify({ url: running.url, pid: process.pid })}\n`,
);
process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
