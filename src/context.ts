import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Db } from './ozmap-model/db/client.js';
import type { ApiKeyVerifier } from './ozmap-model/api-keys.js';

/** What the composition root hands to routers and jobs. Built once in src/server.ts. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Db;
  apiKeys: ApiKeyVerifier;
  /** The clock; tests replace it to control expiry. */
  now: () => Date;
}
