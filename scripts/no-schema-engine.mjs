#!/usr/bin/env node
// Stands in for Prisma's native schema engine during `prisma generate`, which never runs it but
// otherwise downloads it from Prisma's host at install time. Generating the client needs only the
// WebAssembly pieces shipped in the npm packages, so a fresh clone installs from the npm registry
// alone. Anything that does need the engine (migrate dev/diff/status) lands here and is told how.
process.stderr.write(
  'alcance: no Prisma schema engine is installed. The service applies its migrations itself ' +
    '(alcance migrate). To author migrations, set PRISMA_SCHEMA_ENGINE_BINARY to a schema ' +
    'engine (see README, "Offline Prisma CLI").\n',
);
process.exit(1);
