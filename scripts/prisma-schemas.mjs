// Writes one schema per provider from prisma/models.prisma. `--check` fails when a written
// schema is out of date (run in `npm run check`).
import { readFileSync, writeFileSync } from 'node:fs';

const providers = ['sqlite', 'postgresql'];
const folder = { sqlite: 'sqlite', postgresql: 'postgres' };
const models = readFileSync('prisma/models.prisma', 'utf8');
const check = process.argv.includes('--check');
let stale = false;

for (const provider of providers) {
  const dir = folder[provider];
  const text = `// Generated from prisma/models.prisma by scripts/prisma-schemas.mjs: do not edit.
generator client {
  provider               = "prisma-client"
  output                 = "../../src/generated/${dir}"
  moduleFormat           = "esm"
  importFileExtension    = "js"
}

datasource db {
  provider = "${provider}"
}

${models}`;
  const path = `prisma/${dir}/schema.prisma`;
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // not written yet
  }
  if (current === text) continue;
  if (check) {
    console.error(`${path} is out of date: run node scripts/prisma-schemas.mjs`);
    stale = true;
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
if (stale) process.exit(1);
