import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])
  .transform((v) => ['true', '1', 'on', 'yes'].includes(v));

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
  RESERVATION_EXPIRY_JOB_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
  CHATBOT_RESERVATION_DAYS: z.coerce.number().min(0.001).default(7),
  TRUST_PROXY: bool.default(false),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  http: { port: number; host: string; bodyLimit: string; trustProxy: boolean; publicUrl?: string };
  database: { url: string; provider: 'sqlite' | 'postgresql' };
  logLevel: Env['LOG_LEVEL'];
  viability: { defaultRadiusMeters: number; maxRadiusMeters: number };
  demo: { mode: Env['DEMO_NETWORK']; seed: number };
  redisUrl?: string;
  shutdownTimeoutMs: number;
  reservations: { expiryJobIntervalMs: number; chatbotDays: number };
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
    },
    logLevel: e.LOG_LEVEL,
    viability: {
      defaultRadiusMeters: e.DEFAULT_RADIUS_METERS,
      maxRadiusMeters: e.MAX_RADIUS_METERS,
    },
    demo: { mode: e.DEMO_NETWORK, seed: e.DEMO_SEED },
    redisUrl: e.REDIS_URL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    reservations: {
      expiryJobIntervalMs: e.RESERVATION_EXPIRY_JOB_INTERVAL_SECONDS * 1000,
      chatbotDays: e.CHATBOT_RESERVATION_DAYS,
    },
  };
}
