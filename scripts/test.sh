#!/usr/bin/env bash
# The test command (README): starts PostgreSQL and Redis on loopback when their Debian packages
# are installed (.ci/run installs them), then runs the whole suite against SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 && command -v redis-server >/dev/null; then
  eval "$(bash scripts/test-services.sh)"
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs PostgreSQL and Redis: see .ci/run" >&2
  exit 1
else
  echo "PostgreSQL/Redis not installed: running SQLite-only tests (apt-get install postgresql redis-server for the full suite)" >&2
fi
exec npx vitest run "$@"
