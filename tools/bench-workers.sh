#!/usr/bin/env bash
# Issue 12's measurement: wall time for MODELS (4) tiny checkpoints queued with `loglikemap queue` and scored by one CPU
# worker, then by two, each worker an OS process beside one web process, all over a PostgreSQL cluster this script starts
# (Debian's postgresql package, as .ci/run). Also prints the bytes a stored vector takes per 10,000 texts.
#   tools/bench-workers.sh                    # TEXTS=60 CHUNK=10 MODELS=4 WORKERS="1 2"
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TEXTS=${TEXTS:-60}; CHUNK=${CHUNK:-10}; MODELS=${MODELS:-4}; WORKERS=${WORKERS:-"1 2"}
CHECKPOINT=$ROOT/LogLikeMap.Tests/TestData/scoring/gpt2-tiny
MAP=$ROOT/LogLikeMap.Tests/TestData/web/demo-map

dotnet build LogLikeMap.Cli -v q >/dev/null
BIN=$(dirname "$(ls "$ROOT"/LogLikeMap.Cli/bin/Debug/net10.0/*/loglikemap.dll 2>/dev/null || ls "$ROOT"/LogLikeMap.Cli/bin/Debug/net10.0/loglikemap.dll)")

WORK=$(mktemp -d /tmp/loglikemap-bench-workers-XXXXXX)
chmod 755 "$WORK"   # the postgres user reaches its folder inside
PIDS=()
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_PORT=${PG_PORT:-55433}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/pg" && if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$WORK/pg"; fi
as_postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null

# The tests' demo map cut to its first TEXTS texts, and a manifest queuing the tiny GPT-2 MODELS times.
mkdir -p "$WORK/map/results"
head -n "$TEXTS" "$MAP/texts.jsonl" > "$WORK/map/texts.jsonl"
cp "$MAP/models.jsonl" "$WORK/map/"
for f in "$MAP"/results/*.jsonl; do head -n "$TEXTS" "$f" > "$WORK/map/results/$(basename "$f")"; done
for i in $(seq "$MODELS"); do echo "{\"folder\": \"$CHECKPOINT\", \"name\": \"bench/tiny-$i\", \"family\": \"gpt2\"}"; done > "$WORK/manifest.jsonl"

healthy() { for _ in $(seq 600); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.5; done; echo "port $1 never answered" >&2; return 1; }
start_app() { # port role folder [extra settings...]
  local port=$1 role=$2 folder=$3; shift 3
  (cd "$BIN" && exec dotnet LogLikeMap.Web.dll --urls="http://127.0.0.1:$port" --Jobs:Roles="$role" --Data:Folder="$folder" \
      --Data:Database=PostgreSql --Data:ConnectionString="$DB" --Jobs:Storage=PostgreSql --Jobs:ConnectionString="$DB" "$@" \
      >"$folder.log" 2>&1) &
  PIDS+=($!)
}

declare -A WALL
for n in $WORKERS; do
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE bench_$n"
  DB="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=bench_$n"
  start_app 5700 Web "$WORK/web-$n" --Data:DemoMapFolder="$WORK/map"; healthy 5700
  for w in $(seq "$n"); do start_app $((5700 + w)) Worker "$WORK/worker-$n-$w"; done
  for w in $(seq "$n"); do healthy $((5700 + w)); done
  start=$(date +%s.%N)
  dotnet "$BIN/loglikemap.dll" queue --connection "$DB" --manifest "$WORK/manifest.jsonl" --chunk-texts "$CHUNK" >/dev/null
  until [ "$(curl -sf http://127.0.0.1:5700/api/models | grep -o '"name":"bench/tiny-[0-9]*"' | wc -l)" -ge "$MODELS" ]; do sleep 0.2; done
  WALL[$n]=$(echo "$(date +%s.%N) - $start" | bc)
  echo "workers=$n models=$MODELS texts=$TEXTS chunk=$CHUNK wall_s=${WALL[$n]}"
  bytes=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "bench_$n" -Atc \
    "SELECT avg(pg_column_size(\"LogLikelihoods\") + coalesce(pg_column_size(\"TokenCounts\"), 0)) FROM \"ScoreVectors\" v JOIN \"Models\" m ON m.\"Id\" = v.\"ModelId\" WHERE m.\"Name\" LIKE 'bench/%'")
  echo "stored vector: $bytes bytes for $TEXTS texts, $(echo "$bytes * 10000 / $TEXTS" | bc) bytes per 10,000 texts"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
done
if [ -n "${WALL[1]:-}" ] && [ -n "${WALL[2]:-}" ]; then
  echo "two workers / one worker wall time: $(echo "scale=3; ${WALL[2]} / ${WALL[1]}" | bc)"
fi
