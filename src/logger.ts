import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

// Personal data never reaches the log in clear text: these keys are censored wherever they sit
// (up to two levels deep, which covers request bodies and entity objects we log).
const PII_KEYS = ['document', 'cpf', 'cnpj', 'phone', 'email', 'telefone', 'password', 'token'];
const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...PII_KEYS,
  ...PII_KEYS.map((k) => `*.${k}`),
  ...PII_KEYS.map((k) => `*.*.${k}`),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'alcance' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
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
