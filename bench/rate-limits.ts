// A benchmark measures what the service can serve, not its rate limiter: a load generator on
// loopback sends one key's and one address's requests far beyond the production limits (3 000
// per key and 6 000 per address a minute), which would otherwise be answered 429 and counted.
export const UNLIMITED_RATES = {
  RATE_LIMIT_API_PER_KEY_PER_MINUTE: '10000000',
  RATE_LIMIT_API_PER_IP_PER_MINUTE: '10000000',
  RATE_LIMIT_PUBLIC_PER_IP_PER_MINUTE: '10000000',
} as const;
