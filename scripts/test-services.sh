#!/usr/bin/env bash
# Starts PostgreSQL (with PostGIS when installed) and Redis on loopback for tests and benchmarks,
# from Debian's packages. Idempotent. Prints the export lines for the URLs.
set -euo pipefail

PG_PORT="${ALCANCE_PG_PORT:-55432}"
REDIS_PORT="${ALCANCE_REDIS_PORT:-56379}"
PG_DIR="${ALCANCE_PG_DIR:-/tmp/alcance-pg}"

pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
if ! "$pg_bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
  if [ ! -s "$PG_DIR/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"
    chown postgres:postgres "$PG_DIR"
    su postgres -s /bin/sh -c "$pg_bin/initdb -D $PG_DIR -U postgres --auth=trust -E UTF8 >/dev/null"
  fi
  su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D $PG_DIR -l $PG_DIR/server.log -w \
    -o \"-h 127.0.0.1 -p $PG_PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start >/dev/null"
fi

if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
    --logfile /tmp/alcance-redis.log
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
