import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { createDb } from '../ozmap-model/db/client.js';
import { applyMigrations } from '../ozmap-model/db/migrate.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../ozmap-model/api-keys.js';
import { buildContext, startServer } from '../server.js';
import { runLocalChat } from '../bot/local/chat-command.js';
import { textsCommand } from '../bot/texts-command.js';
import { parseArgs } from './args.js';
import { integrationCommand } from './integration.js';
import { syncCommand } from './sync.js';
import { userCommand, webhookCommand } from './sales.js';
import { Integrations } from '../services/integrations.js';
import { DEFAULT_SCOPES, parseScopes } from '../security/principal.js';
import { ValidationError } from '../errors.js';
import { demoSeeding, exportCommand, importCommand, seedDemoCommand } from './inventory.js';

const USAGE = `alcance <command>

  serve                                   run the HTTP service (default)
  migrate                                 apply pending database migrations
  apikey create --name NAME [--integration KIND] [--scopes read,write,pii | --scope all]
  apikey list
  apikey revoke <id|name|prefix>
  integration create --name NAME --kind conecteai|ispbox|fivehub|generic|admin
              [--reservation-days D] [--radius M] [--prospect-tags a,b] [--may-reserve true|false]
              [--viability-mode radius|poles] [--pole-access M] [--max-drop M] [--max-boxes N]
              [--property-ports-free true|false] [--blocked-ports-free true|false]
              [--horizontal-condos true|false]      (each also takes "default")
  integration create --name NAME --kind sgp --url URL --token TOKEN --app APP
              [--update-minutes 10] [--cancel-minutes 30] [--enabled true|false]
  integration create --name NAME --kind geogrid --url API_URL --token TOKEN
              (--project-id ID | --project-name NAME) [--elements service-splitters,poles,boxes,...]
  integration list | update NAME [flags] | delete NAME
  sync sgp --name NAME [--dry-run] [--only create|update|cancel]
                                          run one SGP cycle now (progress per page, then a summary)
  sync geogrid --name NAME [--dry-run]    run one full Geogrid sync now (progress per page, then a summary)
  sync runs [--name NAME] [--limit N] | --id RUN_ID [--outcome O]
                                          sync run reports
  user create --username U --role admin|sales [--password-stdin]
  user list | disable U | enable U | reset-password U [--password-stdin]
  webhook create --url URL --events a,b --secret S [--pii]   (or --telegram-chat ID --events a,b)
  webhook list | delete ID | deliveries ID
  chat                                    try the sales chat in the terminal (/loc LAT LNG sends a location)
  texts defaults                          print the chatbot's pt-BR texts (the CHATBOT_TEXTS_FILE format)
  texts check [FILE]                      validate a texts file (default: CHATBOT_TEXTS_FILE)
  seed-demo [--seed N] [--boxes N]        seed the demo network (Maringá; --boxes: any size, over
                                          more cities) into an empty inventory
  import <file.geojson>                   import boxes, poles, spans and regions (docs/geojson.md)
  export [--out FILE]                     export the inventory as GeoJSON (stdout by default)

Configuration comes from environment variables (see README).`;

/** Runs one command; returns the process exit code. */
export async function runCli(argv: string[], config: Config, logger: Logger): Promise<number> {
  const { positional, flags } = parseArgs(argv);
  const [command = 'serve', sub] = positional;
  try {
    switch (command) {
      case 'serve':
        return await serve(config, logger);
      case 'migrate': {
        const result = await applyMigrations(config.database.url);
        console.log(
          result.applied.length
            ? `applied: ${result.applied.join(', ')}`
            : 'database is up to date',
        );
        return 0;
      }
      case 'apikey':
        return await apikey(sub, positional[2], flags, config);
      case 'integration':
        return await withDb(config, (db) =>
          integrationCommand(db, config, sub, positional[2], flags),
        );
      case 'sync':
        return await syncCommand(config, logger, sub, flags);
      case 'user':
        return await withDb(config, (db) => userCommand(db, config, sub, positional[2], flags));
      case 'webhook':
        return await withDb(config, (db) => webhookCommand(db, config, sub, positional[2], flags));
      case 'chat':
        return await chat(config, logger);
      case 'texts':
        return textsCommand(sub, positional[2], config);
      case 'seed-demo':
        return await withDb(config, (db) => seedDemoCommand(db, flags, config));
      case 'import':
        return await withDb(config, (db) => importCommand(db, sub));
      case 'export':
        return await withDb(config, (db) => exportCommand(db, flags));
      case 'help':
      case '--help':
        console.log(USAGE);
        return 0;
      default:
        console.error(`unknown command: ${command}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof AppError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

async function withDb<T>(
  config: Config,
  fn: (db: ReturnType<typeof createDb>) => Promise<T>,
): Promise<T> {
  await applyMigrations(config.database.url);
  const db = createDb(config.database.url);
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

async function apikey(
  sub: string | undefined,
  ref: string | undefined,
  flags: Record<string, string | true>,
  config: Config,
): Promise<number> {
  return withDb(config, async (db) => {
    if (sub === 'create') {
      const name = typeof flags.name === 'string' ? flags.name : '';
      const integration = typeof flags.integration === 'string' ? flags.integration : 'generic';
      const scopes = scopeFlags(flags);
      await new Integrations(db, config.reservations.chatbotDays).ensureBindable(integration);
      const { key, record } = await createApiKey(db, name, integration, scopes);
      console.error(
        `created API key ${record.id} "${record.name}" (${record.integration}, scopes ${record.scopes.join(',')}); it is shown only once:`,
      );
      console.log(key);
      return 0;
    }
    if (sub === 'list') {
      for (const k of await listApiKeys(db)) {
        const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
        console.log(
          `${k.id}  ${k.prefix}…  ${k.name}  ${k.integration}  ${k.scopes.join(',')}  ${state}`,
        );
      }
      return 0;
    }
    if (sub === 'revoke' && ref) {
      await revokeApiKey(db, ref);
      console.log(`revoked ${ref}`);
      return 0;
    }
    console.error(USAGE);
    return 2;
  });
}

/** `--scopes read,write,pii` or `--scope all` (either spelling takes a list); default read,write. */
function scopeFlags(flags: Record<string, string | true>) {
  const given = flags.scopes ?? flags.scope;
  if (given === undefined) return [...DEFAULT_SCOPES];
  if (given === true)
    throw new ValidationError('--scopes needs a list, e.g. read,write,pii', 'scopes');
  return parseScopes(given, 'scopes');
}

async function serve(config: Config, logger: Logger): Promise<number> {
  const running = await startServer(config, logger, { beforeListen: demoSeeding(config) });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void running.close().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // Everything was closed within SHUTDOWN_TIMEOUT_MS; a library's stray timer or socket must not
  // keep the process alive past it.
  setTimeout(() => process.exit(0), 500).unref();
  return 0;
}

async function chat(config: Config, logger: Logger): Promise<number> {
  // The terminal is the conversation: keep log lines out of it unless asked for.
  const quiet = logger.level === 'info' ? logger.child({}, { level: 'warn' }) : logger;
  const built = await buildContext(config, quiet, { beforeListen: demoSeeding(config) });
  try {
    return await runLocalChat({ ctx: built.ctx, redis: built.redis });
  } finally {
    await built.close();
  }
}
