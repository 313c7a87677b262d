import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

// Personal data never reaches the log in clear text: these keys are censored wherever they sit
// (up to two levels deep, which covers request bodies and entity objects we log).
const PII_KEYS = [
  'document',
  'cpf',
  'cnpj',
  'phone',
  'email',
  'telefone',
  'password',
  'token',
  'address',
  'endereco',
  'clientName',
  'senderName',
  'customerName',
];
const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...PII_KEYS,
  ...PII_KEYS.map((k) => `*.${k}`),
  ...PII_KEYS.map((k) => `*.*.${k}`),
];

/**
 * Every `err`/`error` field goes through {@link safeError}: key-name redaction cannot see inside
 * an error's message, and Prisma's messages and metadata carry the failing call's arguments.
 */
const serializers = { err: safeError, error: safeError };

/** pino's name of a numeric level (a forwarded log record's `level`), `info` if unknown. */
export function levelName(level: unknown): pino.Level {
  const name = typeof level === 'number' ? pino.levels.labels[level] : undefined;
  return (name as pino.Level | undefined) ?? 'info';
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'alcance' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers,
    },
    destination,
  );
}

/** For free text that may carry personal data (chat messages, error strings): masks it. */
export function maskPii(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+\.[\w.-]+/g, '[email]')
    .replace(/\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b/g, '[cpf]')
    .replace(/\b\d{2}\.?\d{3}\.?\d{3}\/?\d{4}-?\d{2}\b/g, '[cnpj]')
    .replace(/(\+?55\s?)?\(?\d{2}\)?\s?9?\d{4}-?\d{4}\b/g, '[phone]');
}

export interface SafeError {
  type: string;
  code?: string | number;
  /** Absent for database errors, whose messages repeat the values written or looked for. */
  message?: string;
  /** For database errors: the model and the driver's error code, which are no personal data. */
  model?: string;
  driverCode?: string;
  /** Stack frames only (the first stack line is the message). */
  stack?: string;
  cause?: SafeError;
}

const SAFE_KEYS = new Set(['type', 'code', 'message', 'model', 'driverCode', 'stack', 'cause']);

/** Already described by safeError (so a described error can be logged under `err` again). */
function isSafeError(value: unknown): value is SafeError {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    typeof (value as { type?: unknown }).type === 'string' &&
    Object.keys(value).every((k) => SAFE_KEYS.has(k))
  );
}

/** Whether an error comes from Prisma or its driver adapters (their texts carry the query's data). */
function isDatabaseError(err: Error): boolean {
  return /^(PrismaClient|DriverAdapter|Prisma)/.test(err.name) || 'clientVersion' in err;
}

/**
 * What may be logged of an error: its type, code and stack frames; its message with personal data
 * masked, or no message at all for database errors. Never its enumerable properties (request
 * arguments, response bodies, `meta`), which is where personal data hides.
 */
export function safeError(err: unknown, depth = 0): SafeError {
  if (isSafeError(err)) return err;
  if (!(err instanceof Error)) {
    return { type: typeof err, message: maskPii(String(err)).slice(0, 500) };
  }
  const out: SafeError = { type: err.name || 'Error' };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (isDatabaseError(err)) {
    const meta = (err as { meta?: Record<string, unknown> }).meta;
    if (typeof meta?.modelName === 'string') out.model = meta.modelName;
    const driver = (meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)
      ?.cause?.originalCode;
    if (typeof driver === 'string') out.driverCode = driver;
  } else {
    out.message = maskPii(err.message).slice(0, 1000);
  }
  const frames = err.stack
    ?.split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 12)
    .join('\n');
  if (frames) out.stack = frames;
  if (err.cause !== undefined && depth < 3) out.cause = safeError(err.cause, depth + 1);
  return out;
}
