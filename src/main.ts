// Composition root and command line: the only place that reads the environment.
import { loadConfig, ConfigError } from './config.js';
import { createLogger } from './logger.js';
import { runCli } from './cli/run.js';
import { MigrationError } from './ozmap-model/db/migrate.js';
import { TextsError } from './bot/conversation/catalogue.js';

try {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  process.exitCode = await runCli(process.argv.slice(2), config, logger);
} catch (err) {
  if (err instanceof ConfigError || err instanceof TextsError) {
    console.error(err.message);
    process.exitCode = 2;
  } else if (err instanceof MigrationError) {
    // A different migration level than this code: refuse to start, saying what to do.
    console.error(`alcance: cannot start: ${err.message}`);
    process.exitCode = 3;
  } else {
    throw err;
  }
}
