import { dirname, join } from 'node:path';
import { z } from 'zod';
import { BusinessHoursError, parseBusinessHours } from './sales/business-hours.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])
  .transform((v) => ['true', '1', 'on', 'yes'].includes(v));

const tileUrl = z
  .string()
  .regex(
    /^https?:\/\/.*\{z\}.*\{[xy]\}.*\{[xy]\}/,
    'must be an http(s) URL template with {z}, {x} and {y}',
  );

const perMinute = (fallback: number) => z.coerce.number().int().min(1).max(1e7).default(fallback);

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: or postgres://')
    .default('file:./data/alcance.db'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_RADIUS_METERS: z.coerce.number().int().min(1).max(50_000).default(300),
  MAX_RADIUS_METERS: z.coerce.number().int().min(1).max(100_000).default(5_000),
  DEMO_NETWORK: z.enum(['on', 'off', 'auto']).default('auto'),
  DEMO_SEED: z.coerce.number().int().default(42),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis://')
    .optional(),
  PUBLIC_URL: z.string().url().optional(),
  BODY_LIMIT: z.string().default('1mb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  RATE_LIMIT_API_PER_KEY_PER_MINUTE: perMinute(3000),
  RATE_LIMIT_API_PER_IP_PER_MINUTE: perMinute(6000),
  RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: perMinute(30),
  RATE_LIMIT_PUBLIC_PER_IP_PER_MINUTE: perMinute(300),
  RATE_LIMIT_WEB_CHAT_PER_SESSION_PER_MINUTE: perMinute(30),
  RATE_LIMIT_FINDME_LINKS_PER_CHAT_PER_HOUR: perMinute(10),
  RATE_LIMIT_GEOCODE_PER_IP_PER_MINUTE: perMinute(20),
  RESERVATION_EXPIRY_JOB_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
  CHATBOT_RESERVATION_DAYS: z.coerce.number().min(0.001).default(7),
  CHATBOT_IDLE_MINUTES: z.coerce
    .number()
    .min(1)
    .max(7 * 24 * 60)
    .default(30),
  CHATBOT_HANDOFF_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 30)
    .default(24),
  CHATBOT_PROSPECT_TAGS: z.string().default('chatbot,sem-cobertura'),
  CHATBOT_RADIUS_METERS: z.coerce.number().int().min(1).max(50_000).optional(),
  CHATBOT_INTEGRATION: z
    .string()
    .regex(/^[\w.-]{1,64}$/, '1-64 characters from A-Z a-z 0-9 _ . -')
    .default('chatbot'),
  PROVIDER_NAME: z.string().trim().min(1).max(60).default('Alcance'),
  CHATBOT_TEXTS_FILE: z.string().min(1).optional(),
  CHATBOT_SERVICE_AREA_KM: z.coerce.number().min(0.1).max(500).default(5),
  CHATBOT_OUT_OF_AREA_PROSPECTS: z.enum(['flag', 'skip']).default('flag'),
  CHATBOT_RESUME_HOURS: z.coerce
    .number()
    .min(0)
    .max(30 * 24)
    .default(72),
  WEB_CHAT_ENABLED: bool.default(true),
  TRUST_PROXY: bool.default(false),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]+$/, 'must look like 123456:ABC-DEF (from BotFather)')
    .optional(),
  TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_URL: z.string().url().optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, '1-256 characters from A-Z a-z 0-9 _ -')
    .optional(),
  WHATSAPP_ENABLED: bool.default(false),
  WHATSAPP_SESSION: z
    .string()
    .regex(/^[\w.-]{1,64}$/, '1-64 characters from A-Z a-z 0-9 _ . -')
    .default('default'),
  WHATSAPP_PAIRING_PHONE: z
    .string()
    .regex(/^\d{10,15}$/, 'digits only, with country code (5511987654321)')
    .optional(),
  WHATSAPP_CLOUD_ACCESS_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,}$/, 'must be a Meta access token (EAA...)')
    .optional(),
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: z
    .string()
    .regex(/^\d{5,20}$/, 'digits only')
    .optional(),
  WHATSAPP_CLOUD_APP_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9]{16,}$/, 'the app secret from App settings > Basic')
    .optional(),
  WHATSAPP_CLOUD_VERIFY_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{8,256}$/, '8-256 visible ASCII characters')
    .optional(),
  WHATSAPP_CLOUD_API_ROOT: z
    .string()
    .url()
    .regex(/\/v\d+\.\d+\/?$/, 'must end with the Graph API version, e.g. /v23.0')
    .default('https://graph.facebook.com/v23.0'),
  WHATSAPP_CLOUD_BUSINESS_ACCOUNT_ID: z
    .string()
    .regex(/^\d{5,20}$/, 'digits only')
    .optional(),
  WHATSAPP_CLOUD_TEMPLATE_LANGUAGE: z
    .string()
    .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a template language code such as pt_BR')
    .default('pt_BR'),
  WHATSAPP_CLOUD_TEMPLATE_RESERVATION_EXPIRING: z
    .string()
    .default('alcance_reserva_expirando:name,expires_at'),
  WHATSAPP_CLOUD_TEMPLATE_HANDOFF_REPLY: z
    .string()
    .default('alcance_resposta_atendimento:name,message'),
  WHATSAPP_CLOUD_TEMPLATE_FIBRE_AVAILABLE: z.string().default('alcance_fibra_disponivel:name'),
  WHATSAPP_CLOUD_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(80),
  WHATSAPP_CLOUD_REMINDER_HOURS: z.coerce.number().min(0).max(720).default(24),
  WHATSAPP_CLOUD_COVERAGE_CHECK_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  GEOCODER_URL: z.string().url().optional(),
  GEOCODER_USER_AGENT: z.string().min(3).default('Alcance-FindME/0.1'),
  GEOCODER_MIN_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  GEOCODER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(4000),
  FINDME_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  FINDME_LINK_TTL_MINUTES: z.coerce
    .number()
    .min(1)
    .max(7 * 24 * 60)
    .default(30),
  FINDME_MAP_CENTER: z
    .string()
    .regex(/^-?\d+(\.\d+)?,\s*-?\d+(\.\d+)?$/, 'must be "lat,lng"')
    .optional(),
  SECRETS_KEY: z
    .string()
    .refine(
      (v) => /^[A-Za-z0-9+/]{43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32,
      'must be 32 bytes in base64 (openssl rand -base64 32)',
    )
    .optional(),
  SECRETS_KEY_FILE: z.string().min(1).optional(),
  SCHEDULER_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  SYNC_CYCLE_THREAD: z.enum(['auto', 'on', 'off']).default('auto'),
  SYNC_CYCLE_REST_RATIO: z.coerce.number().min(0).max(20).optional(),
  MAP_TILE_URL: tileUrl.default('https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
  MAP_TILE_ATTRIBUTION: z.string().default('© colaboradores do OpenStreetMap'),
  MAP_SATELLITE_TILE_URL: tileUrl.default(
    'https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}',
  ),
  MAP_SATELLITE_TILE_ATTRIBUTION: z
    .string()
    .default('Imagens © Esri, Maxar, Earthstar Geographics'),
  // Operations (issue 15): metrics, change-log sync, migrations, WhatsApp failover.
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,256}$/, '16-256 printable characters, no spaces')
    .optional(),
  NETWORK_SYNC_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(30).default(5),
  NETWORK_CHANGE_RETENTION_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 90)
    .default(72),
  MIGRATE_ON_START: bool.default(true),
  WHATSAPP_LOCK_TTL_SECONDS: z.coerce.number().min(1).max(300).default(30),
  WHATSAPP_STANDBY_RETRY_SECONDS: z.coerce.number().min(0.1).max(300).default(10),
  SALES_SESSION_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 7)
    .default(12),
  SALES_PASSWORD_COST: z.coerce.number().int().min(10).max(20).default(15),
  SALES_LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(5),
  SALES_BUSINESS_HOURS: z.string().default('seg-sex 08:00-18:00; sab 08:00-12:00'),
  SALES_TIME_ZONE: z.string().default('America/Sao_Paulo'),
  SALES_HANDOFF_ESCALATE_MINUTES: z.coerce
    .number()
    .min(1)
    .max(24 * 60)
    .default(10),
  SALES_EXPIRING_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 30)
    .default(24),
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(10),
  WEBHOOK_GIVE_UP_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 30)
    .default(72),
});

export type Env = z.infer<typeof EnvSchema>;

/** Every environment variable the service reads (deploy/.env.example lists them all). */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export interface Config {
  http: { port: number; host: string; bodyLimit: string; trustProxy: boolean; publicUrl?: string };
  database: {
    url: string;
    provider: 'sqlite' | 'postgresql';
    /** PostgreSQL statement_timeout; SQLite lock wait (see createDb). */
    statementTimeoutMs: number;
    /** Apply pending migrations at start (else refuse to start until `alcance migrate` ran). */
    migrateOnStart: boolean;
  };
  logLevel: Env['LOG_LEVEL'];
  viability: { defaultRadiusMeters: number; maxRadiusMeters: number };
  demo: { mode: Env['DEMO_NETWORK']; seed: number };
  redisUrl?: string;
  shutdownTimeoutMs: number;
  /** Request rate limits (src/http/rate-limits.ts), each `points` per `seconds`. */
  rateLimits: {
    apiPerKey: { points: number; seconds: number };
    apiPerIp: { points: number; seconds: number };
    authFailuresPerIp: { points: number; seconds: number };
    publicPerIp: { points: number; seconds: number };
    webChatPerSession: { points: number; seconds: number };
    findmeLinksPerChat: { points: number; seconds: number };
    geocodePerIp: { points: number; seconds: number };
  };
  reservations: { expiryJobIntervalMs: number; chatbotDays: number };
  chatbot: {
    idleTimeoutMs: number;
    handoffTimeoutMs: number;
    /** Tags (names) given to prospects the bot records. */
    prospectTags: string[];
    /** The bot's own viability radius; unset = the system default. */
    radiusMeters?: number;
    /** The integration profile whose viability settings the bot uses (when it exists). */
    integration: string;
    /** Serve the web chat page at /chat (the local channel for trying the flow). */
    webChat: boolean;
    /** The provider's name as customers read it ({provider} in the texts). */
    providerName: string;
    /** JSON file overriding entries of the pt-BR catalogue (`alcance texts defaults`). */
    textsFile?: string;
    /** No box at all within this distance: the area is not served yet. */
    serviceAreaMeters: number;
    /** Out-of-area leads are recorded (flagged) when true, not recorded when false. */
    outOfAreaProspects: boolean;
    /** An unfinished reservation is kept this long, so a returning customer can continue. */
    resumeMs: number;
  };
  /** Present when TELEGRAM_BOT_TOKEN is set. Webhook mode when `webhook` is present, else polling. */
  telegram?: { token: string; apiRoot: string; webhook?: { url: string; secret: string } };
  /** Present when WHATSAPP_ENABLED is true. */
  whatsapp?: {
    session: string;
    pairingPhone?: string;
    /** The socket lock's lease: a dead owner's number is taken over within about this long. */
    lockTtlMs?: number;
    /** How often a standby instance tries to take the lock. */
    standbyRetryMs?: number;
  };
  /** Prometheus metrics at GET /metrics, for `Authorization: Bearer <token>`; no token = off. */
  metrics: { token?: string };
  /** The versioned inventory change log every instance reads to keep its index exact. */
  networkSync: { intervalMs: number; retentionMs: number };
  /** Present when WHATSAPP_CLOUD_ACCESS_TOKEN is set: the official WhatsApp Cloud API channel. */
  whatsappCloud?: WhatsAppCloudConfig;
  /** Nominatim-compatible geocoder behind the FindME proxy; no `url` → address search is off. */
  geocoder: { url?: string; userAgent: string; minIntervalMs: number; timeoutMs: number };
  findme: {
    /** Signing secret; when unset one is generated once and kept in the KeyValue table. */
    secret?: string;
    linkTtlMinutes: number;
    /** Where the map opens before GPS or search place the pin. */
    mapCenter?: { lat: number; lng: number };
  };
  /** Seals secrets at rest (src/security): SECRETS_KEY, else a key file generated once. */
  secrets: { key?: Uint8Array; keyFile: string };
  /** Scheduled jobs (src/jobs/scheduler.ts): how long a claimed run stays claimed without renewal. */
  scheduler: { leaseMs: number };
  /** SGP cycles in a worker thread of their own: `auto` = on PostgreSQL. */
  syncCycleThread: boolean;
  /** After each page an SGP cycle rests this many times as long as the page took. */
  syncCycleRestRatio: number;
  /** Tile URL templates handed to the map pages (never a key: use a keyless or proxied source). */
  map: {
    tileUrl: string;
    tileAttribution: string;
    satelliteTileUrl: string;
    satelliteAttribution: string;
  };
  /** The sales workspace (/sales), the hand-off queue and the webhooks. */
  sales: {
    sessionHours: number;
    /** log2 of scrypt's N for new password hashes. */
    passwordCost: number;
    loginMaxAttempts: number;
    /** As written, e.g. "seg-sex 08:00-18:00; sab 08:00-12:00" (validated). */
    businessHours: string;
    timeZone: string;
    handoffEscalateMs: number;
    expiringWithinMs: number;
    webhookTimeoutMs: number;
    webhookGiveUpMs: number;
  };
}

/** An approved message template: its name and, in order, what fills its {{1}}, {{2}}... */
export interface TemplateSpec {
  name: string;
  parameters: string[];
}

/** Why the bot writes outside the 24-hour window, each purpose with its own template. */
export const TEMPLATE_PURPOSES = {
  reservationExpiring: {
    variable: 'WHATSAPP_CLOUD_TEMPLATE_RESERVATION_EXPIRING',
    parameters: ['name', 'expires_at', 'address'],
    required: [],
  },
  handoffReply: {
    variable: 'WHATSAPP_CLOUD_TEMPLATE_HANDOFF_REPLY',
    parameters: ['name', 'message'],
    // Without the message the agent's answer would never reach the customer.
    required: ['message'],
  },
  fibreAvailable: {
    variable: 'WHATSAPP_CLOUD_TEMPLATE_FIBRE_AVAILABLE',
    parameters: ['name', 'address'],
    required: [],
  },
} as const satisfies Record<
  string,
  { variable: string; parameters: readonly string[]; required: readonly string[] }
>;
export type TemplatePurpose = keyof typeof TEMPLATE_PURPOSES;

export interface WhatsAppCloudConfig {
  accessToken: string;
  phoneNumberId: string;
  appSecret: string;
  verifyToken: string;
  /** Graph API base URL without the version (https://graph.facebook.com). */
  apiBaseUrl: string;
  /** Graph API version, e.g. v23.0 (the last segment of WHATSAPP_CLOUD_API_ROOT). */
  apiVersion: string;
  /** The WhatsApp Business Account that owns the number and its templates. */
  businessAccountId: string;
  templates: { language: string } & Record<TemplatePurpose, TemplateSpec>;
  messagesPerSecond: number;
  /** Remind customers this long before their chat reservation expires; 0 = never. */
  reminderHours: number;
  /** How often prospects from this channel are re-checked for coverage; 0 = never. */
  coverageCheckMinutes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment once; lists every bad variable in one error. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.DEFAULT_RADIUS_METERS > e.MAX_RADIUS_METERS) {
    throw new ConfigError(['DEFAULT_RADIUS_METERS: must not exceed MAX_RADIUS_METERS']);
  }
  const mapCenter = parseLatLng(e.FINDME_MAP_CENTER);
  if (mapCenter && (Math.abs(mapCenter.lat) > 90 || Math.abs(mapCenter.lng) > 180)) {
    throw new ConfigError(['FINDME_MAP_CENTER: latitude or longitude out of range']);
  }
  try {
    parseBusinessHours(e.SALES_BUSINESS_HOURS, e.SALES_TIME_ZONE);
  } catch (err) {
    if (!(err instanceof BusinessHoursError)) throw err;
    throw new ConfigError([`SALES_BUSINESS_HOURS / SALES_TIME_ZONE: ${err.message}`]);
  }
  if (e.TELEGRAM_WEBHOOK_URL && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError(['TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set']);
  }
  const whatsappCloud = whatsappCloudConfig(e);
  return {
    http: {
      port: e.PORT,
      host: e.HOST,
      bodyLimit: e.BODY_LIMIT,
      trustProxy: e.TRUST_PROXY,
      publicUrl: e.PUBLIC_URL,
    },
    database: {
      url: e.DATABASE_URL,
      provider: e.DATABASE_URL.startsWith('file:') ? 'sqlite' : 'postgresql',
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      migrateOnStart: e.MIGRATE_ON_START,
    },
    logLevel: e.LOG_LEVEL,
    viability: {
      defaultRadiusMeters: e.DEFAULT_RADIUS_METERS,
      maxRadiusMeters: e.MAX_RADIUS_METERS,
    },
    demo: { mode: e.DEMO_NETWORK, seed: e.DEMO_SEED },
    redisUrl: e.REDIS_URL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    rateLimits: {
      apiPerKey: { points: e.RATE_LIMIT_API_PER_KEY_PER_MINUTE, seconds: 60 },
      apiPerIp: { points: e.RATE_LIMIT_API_PER_IP_PER_MINUTE, seconds: 60 },
      authFailuresPerIp: { points: e.RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE, seconds: 60 },
      publicPerIp: { points: e.RATE_LIMIT_PUBLIC_PER_IP_PER_MINUTE, seconds: 60 },
      webChatPerSession: { points: e.RATE_LIMIT_WEB_CHAT_PER_SESSION_PER_MINUTE, seconds: 60 },
      findmeLinksPerChat: { points: e.RATE_LIMIT_FINDME_LINKS_PER_CHAT_PER_HOUR, seconds: 3600 },
      geocodePerIp: { points: e.RATE_LIMIT_GEOCODE_PER_IP_PER_MINUTE, seconds: 60 },
    },
    reservations: {
      expiryJobIntervalMs: e.RESERVATION_EXPIRY_JOB_INTERVAL_SECONDS * 1000,
      chatbotDays: e.CHATBOT_RESERVATION_DAYS,
    },
    chatbot: {
      idleTimeoutMs: e.CHATBOT_IDLE_MINUTES * 60_000,
      handoffTimeoutMs: e.CHATBOT_HANDOFF_HOURS * 3_600_000,
      prospectTags: e.CHATBOT_PROSPECT_TAGS.split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      radiusMeters: e.CHATBOT_RADIUS_METERS,
      integration: e.CHATBOT_INTEGRATION,
      webChat: e.WEB_CHAT_ENABLED,
      providerName: e.PROVIDER_NAME,
      textsFile: e.CHATBOT_TEXTS_FILE,
      serviceAreaMeters: Math.round(e.CHATBOT_SERVICE_AREA_KM * 1000),
      outOfAreaProspects: e.CHATBOT_OUT_OF_AREA_PROSPECTS === 'flag',
      resumeMs: e.CHATBOT_RESUME_HOURS * 3_600_000,
    },
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          apiRoot: e.TELEGRAM_API_ROOT,
          webhook:
            e.TELEGRAM_WEBHOOK_URL && e.TELEGRAM_WEBHOOK_SECRET
              ? { url: e.TELEGRAM_WEBHOOK_URL, secret: e.TELEGRAM_WEBHOOK_SECRET }
              : undefined,
        }
      : undefined,
    whatsapp: e.WHATSAPP_ENABLED
      ? {
          session: e.WHATSAPP_SESSION,
          pairingPhone: e.WHATSAPP_PAIRING_PHONE,
          lockTtlMs: e.WHATSAPP_LOCK_TTL_SECONDS * 1000,
          standbyRetryMs: e.WHATSAPP_STANDBY_RETRY_SECONDS * 1000,
        }
      : undefined,
    metrics: { token: e.METRICS_TOKEN },
    networkSync: {
      intervalMs: Math.round(e.NETWORK_SYNC_INTERVAL_SECONDS * 1000),
      retentionMs: e.NETWORK_CHANGE_RETENTION_HOURS * 3_600_000,
    },
    whatsappCloud,
    geocoder: {
      url: e.GEOCODER_URL,
      userAgent: e.GEOCODER_USER_AGENT,
      minIntervalMs: e.GEOCODER_MIN_INTERVAL_MS,
      timeoutMs: e.GEOCODER_TIMEOUT_MS,
    },
    findme: {
      secret: e.FINDME_SECRET,
      linkTtlMinutes: e.FINDME_LINK_TTL_MINUTES,
      mapCenter,
    },
    secrets: {
      key: e.SECRETS_KEY ? Buffer.from(e.SECRETS_KEY, 'base64') : undefined,
      keyFile: e.SECRETS_KEY_FILE ?? defaultKeyFile(e.DATABASE_URL),
    },
    scheduler: { leaseMs: e.SCHEDULER_LEASE_SECONDS * 1000 },
    // SQLite's writes run in this process's own threads (PostgreSQL's in its server), so the
    // cycle rests longer there to leave the requests the same share of the cores
    // (docs/benchmarks.md, SGP: within 10 % of rest at 3 on SQLite, at 1 on PostgreSQL).
    syncCycleRestRatio: e.SYNC_CYCLE_REST_RATIO ?? (e.DATABASE_URL.startsWith('file:') ? 3 : 1),
    syncCycleThread: e.SYNC_CYCLE_THREAD !== 'off',
    map: {
      tileUrl: e.MAP_TILE_URL,
      tileAttribution: e.MAP_TILE_ATTRIBUTION,
      satelliteTileUrl: e.MAP_SATELLITE_TILE_URL,
      satelliteAttribution: e.MAP_SATELLITE_TILE_ATTRIBUTION,
    },
    sales: {
      sessionHours: e.SALES_SESSION_HOURS,
      passwordCost: e.SALES_PASSWORD_COST,
      loginMaxAttempts: e.SALES_LOGIN_MAX_ATTEMPTS,
      businessHours: e.SALES_BUSINESS_HOURS,
      timeZone: e.SALES_TIME_ZONE,
      handoffEscalateMs: e.SALES_HANDOFF_ESCALATE_MINUTES * 60_000,
      expiringWithinMs: e.SALES_EXPIRING_HOURS * 3_600_000,
      webhookTimeoutMs: e.WEBHOOK_TIMEOUT_SECONDS * 1000,
      webhookGiveUpMs: e.WEBHOOK_GIVE_UP_HOURS * 3_600_000,
    },
  };
}

const CLOUD_REQUIRED = [
  'WHATSAPP_CLOUD_PHONE_NUMBER_ID',
  'WHATSAPP_CLOUD_APP_SECRET',
  'WHATSAPP_CLOUD_VERIFY_TOKEN',
  'WHATSAPP_CLOUD_BUSINESS_ACCOUNT_ID',
] as const;

/** The Cloud API channel's slice, or undefined when WHATSAPP_CLOUD_ACCESS_TOKEN is unset. */
function whatsappCloudConfig(e: Env): WhatsAppCloudConfig | undefined {
  const accessToken = e.WHATSAPP_CLOUD_ACCESS_TOKEN;
  if (!accessToken) return undefined;
  const problems = CLOUD_REQUIRED.filter((name) => !e[name]).map(
    (name) => `${name}: required when WHATSAPP_CLOUD_ACCESS_TOKEN is set`,
  );
  const templates: Partial<Record<TemplatePurpose, TemplateSpec>> = {};
  for (const [purpose, rule] of Object.entries(TEMPLATE_PURPOSES) as Array<
    [TemplatePurpose, (typeof TEMPLATE_PURPOSES)[TemplatePurpose]]
  >) {
    const parsed = parseTemplateSpec(e[rule.variable], rule.parameters, rule.required);
    if (typeof parsed === 'string') problems.push(`${rule.variable}: ${parsed}`);
    else templates[purpose] = parsed;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const root = e.WHATSAPP_CLOUD_API_ROOT.replace(/\/+$/, '');
  const cut = root.lastIndexOf('/');
  return {
    accessToken,
    phoneNumberId: e.WHATSAPP_CLOUD_PHONE_NUMBER_ID!,
    appSecret: e.WHATSAPP_CLOUD_APP_SECRET!,
    verifyToken: e.WHATSAPP_CLOUD_VERIFY_TOKEN!,
    apiBaseUrl: root.slice(0, cut),
    apiVersion: root.slice(cut + 1),
    businessAccountId: e.WHATSAPP_CLOUD_BUSINESS_ACCOUNT_ID!,
    templates: {
      language: e.WHATSAPP_CLOUD_TEMPLATE_LANGUAGE,
      ...(templates as Record<TemplatePurpose, TemplateSpec>),
    },
    messagesPerSecond: e.WHATSAPP_CLOUD_MESSAGES_PER_SECOND,
    reminderHours: e.WHATSAPP_CLOUD_REMINDER_HOURS,
    coverageCheckMinutes: e.WHATSAPP_CLOUD_COVERAGE_CHECK_MINUTES,
  };
}

/**
 * `name:param,param` → the template and what fills its {{1}}, {{2}}... in order, or the problem.
 * `name` alone is a template without parameters.
 */
export function parseTemplateSpec(
  text: string,
  allowed: readonly string[],
  required: readonly string[] = [],
): TemplateSpec | string {
  const [name = '', list, ...rest] = text.split(':').map((part) => part.trim());
  if (rest.length > 0) return 'write it as template_name:param,param';
  if (!/^[a-z0-9_]{1,512}$/.test(name)) {
    return `"${name}" is not a template name (lower case letters, digits and _)`;
  }
  const parameters = list ? list.split(',').map((p) => p.trim()) : [];
  const unknown = parameters.filter((p) => !allowed.includes(p));
  if (unknown.length > 0) {
    return `unknown parameter ${unknown.join(', ')} (use ${allowed.join(', ')})`;
  }
  if (new Set(parameters).size !== parameters.length) return 'a parameter is listed twice';
  const missing = required.filter((p) => !parameters.includes(p));
  if (missing.length > 0) return `must include ${missing.join(', ')}`;
  return { name, parameters };
}

/** Beside the SQLite file for the embedded default; ./data otherwise. */
function defaultKeyFile(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) return join('data', 'secrets.key');
  const path = databaseUrl.slice('file:'.length).split('?')[0] ?? '';
  return join(dirname(path), 'secrets.key');
}

function parseLatLng(text: string | undefined): { lat: number; lng: number } | undefined {
  if (!text) return undefined;
  const [lat, lng] = text.split(',').map((n) => Number(n.trim()));
  return lat !== undefined && lng !== undefined ? { lat, lng } : undefined;
}
