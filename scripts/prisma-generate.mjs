// Generates the Prisma client for both providers (runs on `npm install`). Prisma 7 clients run on
// driver adapters without a native engine. `prisma generate` never runs the schema engine but
// downloads it when none is configured, so unless one is (an offline stand-in beside the project,
// or PRISMA_SCHEMA_ENGINE_BINARY), it is pointed at scripts/no-schema-engine.mjs: installing then
// needs nothing but the npm registry.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const standIn = resolve('../shared/tools/prisma-schema-engine-wasm.mjs');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY)
  env.PRISMA_SCHEMA_ENGINE_BINARY = existsSync(standIn)
    ? standIn
    : resolve('scripts/no-schema-engine.mjs');

execFileSync('node', ['scripts/prisma-schemas.mjs'], { stdio: 'inherit' });
for (const dir of ['sqlite', 'postgres']) {
  execFileSync('npx', ['prisma', 'generate', '--schema', `prisma/${dir}/schema.prisma`], {
    stdio: 'inherit',
    env,
  });
}
