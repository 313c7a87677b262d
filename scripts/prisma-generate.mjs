// Generates the Prisma client for both providers (runs on `npm install`). Prisma 7 clients run on
// driver adapters without a native engine; the CLI still wants a schema engine, which this
// workplace provides as a WebAssembly stand-in (see README, "Offline Prisma CLI").
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const standIn = resolve('../shared/tools/prisma-schema-engine-wasm.mjs');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync(standIn))
  env.PRISMA_SCHEMA_ENGINE_BINARY = standIn;

execFileSync('node', ['scripts/prisma-schemas.mjs'], { stdio: 'inherit' });
for (const dir of ['sqlite', 'postgres']) {
  execFileSync('npx', ['prisma', 'generate', '--schema', `prisma/${dir}/schema.prisma`], {
    stdio: 'inherit',
    env,
  });
}
