#!/usr/bin/env bash
# Authors a migration for both providers after editing prisma/models.prisma:
#   bash scripts/new-migration.sh add_something
# Uses throwaway databases (SQLite file, PostgreSQL from scripts/test-services.sh) and gives both
# migration folders the same name.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: new-migration.sh NAME}"
eval "$(bash scripts/test-services.sh)"
stand_in="$(cd .. && pwd)/shared/tools/prisma-schema-engine-wasm.mjs"
if [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ] && [ -f "$stand_in" ]; then export PRISMA_SCHEMA_ENGINE_BINARY="$stand_in"; fi
node scripts/prisma-schemas.mjs
tmp="$(mktemp -d)"
DATABASE_URL="file:$tmp/m.db" npx prisma migrate deploy >/dev/null
DATABASE_URL="file:$tmp/m.db" npx prisma migrate dev --name "$name" --create-only >/dev/null
db="alcance_mig_$$"
psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $db" >/dev/null
pg_url="${TEST_POSTGRES_URL%/*}/$db"
DATABASE_URL="$pg_url" npx prisma migrate deploy >/dev/null
DATABASE_URL="$pg_url" npx prisma migrate dev --name "$name" --create-only >/dev/null
psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE $db" >/dev/null
rm -rf "$tmp"
sqlite_dir="$(ls -d prisma/sqlite/migrations/*_"$name" | tail -n 1)"
pg_dir="$(ls -d prisma/postgres/migrations/*_"$name" | tail -n 1)"
[ "$(basename "$pg_dir")" = "$(basename "$sqlite_dir")" ] || mv "$pg_dir" "prisma/postgres/migrations/$(basename "$sqlite_dir")"
node scripts/prisma-generate.mjs >/dev/null
echo "created $(basename "$sqlite_dir") for sqlite and postgres"
