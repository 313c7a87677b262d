// In CI both databases and Redis must be there: a missing one fails the run instead of skipping.
export default function setup(): void {
  if (process.env.CI === 'true') {
    const missing = ['TEST_POSTGRES_URL', 'TEST_REDIS_URL'].filter((k) => !process.env[k]);
    if (missing.length)
      throw new Error(`CI needs ${missing.join(', ')}: run scripts/test-services.sh`);
  }
}
