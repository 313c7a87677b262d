#!/usr/bin/env bash
# Fails when a schema and its committed migrations disagree (someone edited models.prisma and
# forgot `prisma migrate dev`). Needs the Prisma CLI's schema engine (PRISMA_SCHEMA_ENGINE_BINARY
# points at the offline stand-in here) and PostgreSQL for the postgres diff.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/test-services.sh)"
stand_in="$(cd .. && pwd)/shared/tools/prisma-schema-engine-wasm.mjs"
if [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ] && [ -f "$stand_in" ]; then export PRISMA_SCHEMA_ENGINE_BINARY="$stand_in"; fi
# The SQLite file's folder must exist: the offline stand-in silently yields an empty diff otherwise.
scratch_dir="$(mktemp -d)"
trap 'rm -rf "$scratch_dir"' EXIT
declare -A url=([sqlite]="file:$scratch_dir/migration-check.db" [postgres]="$TEST_POSTGRES_URL")
# The SQL that would bring the committed migrations up to the schema must be empty. (`--script`
# rather than `--exit-code`: the offline schema-engine stand-in answers 0 to `--exit-code` on
# SQLite even when there is a difference.) Its occasional bare "Error in Schema engine" is retried.
for dir in sqlite postgres; do
  for attempt in 1 2 3 4 5; do
    if DATABASE_URL="${url[$dir]}" npx prisma migrate diff --from-migrations "prisma/$dir/migrations" \
      --to-schema "prisma/$dir/schema.prisma" --script > "$scratch_dir"/migrate-diff.sql 2> "$scratch_dir"/migrate-diff.log; then
      break
    fi
    [ "$attempt" -eq 5 ] && { cat "$scratch_dir"/migrate-diff.log >&2; echo "prisma/$dir: prisma migrate diff failed" >&2; exit 1; }
    sleep 1
  done
  if grep -v -e '^--' -e '^[[:space:]]*$' "$scratch_dir"/migrate-diff.sql >/dev/null; then
    cat "$scratch_dir"/migrate-diff.sql >&2
    echo "prisma/$dir: schema and migrations differ; run scripts/new-migration.sh NAME" >&2
    exit 1
  fi
  echo "prisma/$dir: no drift"
done
