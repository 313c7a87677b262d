#!/usr/bin/env bash
# Fails when a schema and its committed migrations disagree (someone edited models.prisma and
# forgot `prisma migrate dev`). Needs the Prisma CLI's schema engine (PRISMA_SCHEMA_ENGINE_BINARY
# points at the offline stand-in here) and PostgreSQL for the postgres diff.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/test-services.sh)"
stand_in="$(cd .. && pwd)/shared/tools/prisma-schema-engine-wasm.mjs"
if [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ] && [ -f "$stand_in" ]; then export PRISMA_SCHEMA_ENGINE_BINARY="$stand_in"; fi
declare -A url=([sqlite]="file:./data/migration-check.db" [postgres]="$TEST_POSTGRES_URL")
for dir in sqlite postgres; do
  DATABASE_URL="${url[$dir]}" npx prisma migrate diff --from-migrations "prisma/$dir/migrations" \
    --to-schema "prisma/$dir/schema.prisma" --exit-code >/dev/null 2>&1 \
    || { echo "prisma/$dir: schema and migrations differ; run prisma migrate dev" >&2; exit 1; }
  echo "prisma/$dir: no drift"
done
rm -f data/migration-check.db
