# Sourced by tools/bench-workers.sh and tools/bench-takeover.sh: one PostgreSQL cluster (Debian's postgresql package,
# as .ci/run starts it) in a temporary folder, the tests' demo map cut to its first TEXTS texts, and helpers that start
# the web role and scoring workers as OS processes of the built app over one database. Everything stops and the folder
# goes when the calling script exits.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CHECKPOINT=$ROOT/LogLikeMap.Tests/TestData/scoring/gpt2-tiny
DEMO_MAP=$ROOT/LogLikeMap.Tests/TestData/web/demo-map

dotnet build "$ROOT/LogLikeMap.Cli" -v q >/dev/null
BIN=$(dirname "$(ls "$ROOT"/LogLikeMap.Cli/bin/Debug/net10.0/*/loglikemap.dll 2>/dev/null || ls "$ROOT"/LogLikeMap.Cli/bin/Debug/net10.0/loglikemap.dll)")

WORK=$(mktemp -d /tmp/loglikemap-bench-workers-XXXXXX)
chmod 755 "$WORK"   # the postgres user reaches its folder inside
PIDS=()
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_PORT=${PG_PORT:-55433}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_apps() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_apps
  as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/pg" && if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$WORK/pg"; fi
as_postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null

mkdir -p "$WORK/map/results"
head -n "$TEXTS" "$DEMO_MAP/texts.jsonl" > "$WORK/map/texts.jsonl"
cp "$DEMO_MAP/models.jsonl" "$WORK/map/"
for f in "$DEMO_MAP"/results/*.jsonl; do head -n "$TEXTS" "$f" > "$WORK/map/results/$(basename "$f")"; done

# A new database NAME; sets DB to its connection string.
create_database() {
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $1"
  DB="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$1"
}

healthy() { for _ in $(seq 600); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.5; done; echo "port $1 never answered" >&2; return 1; }

# start_app PORT ROLE FOLDER [setting...]: the app on DB in the background, its output in FOLDER.log; its pid ends PIDS.
start_app() {
  local port=$1 role=$2 folder=$3; shift 3
  (cd "$BIN" && exec dotnet LogLikeMap.Web.dll --urls="http://127.0.0.1:$port" --Jobs:Roles="$role" --Data:Folder="$folder" \
      --Data:Database=PostgreSql --Data:ConnectionString="$DB" --Jobs:Storage=PostgreSql --Jobs:ConnectionString="$DB" "$@" \
      >"$folder.log" 2>&1) &
  PIDS+=($!)
}

# queue_tiny_models COUNT PREFIX CHUNK: the tiny GPT-2 queued COUNT times as PREFIX-1..COUNT with `loglikemap queue`.
queue_tiny_models() {
  for i in $(seq "$1"); do echo "{\"folder\": \"$CHECKPOINT\", \"name\": \"$2-$i\", \"family\": \"gpt2\"}"; done > "$WORK/manifest.jsonl"
  dotnet "$BIN/loglikemap.dll" queue --connection "$DB" --manifest "$WORK/manifest.jsonl" --chunk-texts "$3" >/dev/null
}

# placed_count PORT PREFIX: how many models named PREFIX-N the web role on PORT shows.
placed_count() { curl -sf "http://127.0.0.1:$1/api/models" | grep -o "\"name\":\"$2-[0-9]*\"" | wc -l; }
