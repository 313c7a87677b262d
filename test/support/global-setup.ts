import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestTls, TEST_TLS_DIR_ENV, trustBundle } from './test-tls.js';

export default function setup(): () => void {
  // In CI both databases and Redis must be there: a missing one fails the run instead of skipping.
  if (process.env.CI === 'true') {
    const missing = ['TEST_POSTGRES_URL', 'TEST_REDIS_URL'].filter((k) => !process.env[k]);
    if (missing.length)
      throw new Error(`CI needs ${missing.join(', ')}: run scripts/test-services.sh`);
  }
  // A test CA for the HTTPS simulators (Geogrid). Node reads NODE_EXTRA_CA_CERTS when a process
  // starts, so it is set here, before the test processes (forks) are spawned.
  const dir = mkdtempSync(join(tmpdir(), 'alcance-tls-'));
  const tls = makeTestTls(dir);
  process.env.NODE_EXTRA_CA_CERTS = trustBundle(dir, tls);
  process.env[TEST_TLS_DIR_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
