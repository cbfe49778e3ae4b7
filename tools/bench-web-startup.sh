#!/usr/bin/env bash
# Times the web app's restart over a map shaped like the paper's (1,018 models x 10,000 texts by default):
# time until the map page answers with every model (the stored layout redrawn), time until the neighbour API
# answers (its Gram matrix is built in the background), the neighbour API's latency over HTTP, and the server's
# memory once it holds the map. Run from the repository root:
#
#   tools/bench-web-startup.sh                      # MODELS=1018 TEXTS=10000 QUERIES=200 PORT=5097 LIMIT=600
#   MODELS=200 TEXTS=2000 tools/bench-web-startup.sh
#
# Builds Release, writes the store with `loglikemap bench web-store` into a temporary folder (deleted at the end;
# KEEP=1 keeps it), starts LogLikeMap.Web over it and polls it with curl. Needs dotnet, curl and /proc.
set -euo pipefail

MODELS=${MODELS:-1018}
TEXTS=${TEXTS:-10000}
QUERIES=${QUERIES:-200}
PORT=${PORT:-5097}
LIMIT=${LIMIT:-600} # seconds after its start by which the server must answer (the map page, then the neighbour API)
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d -t loglikemap-bench-web-XXXXXX)
SERVER=""

cleanup() {
    if [[ -n "$SERVER" ]] && kill -0 "$SERVER" 2>/dev/null; then
        kill "$SERVER"
        wait "$SERVER" 2>/dev/null || true
    fi
    if [[ "${KEEP:-0}" != 1 ]]; then rm -rf "$WORK"; else echo "Kept $WORK"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

# Called between polls: stops the run, showing the server's log, when the server died or the wait took too long.
still_waiting() {
    kill -0 "$SERVER" 2>/dev/null || { echo "The server exited while $1."; cat "$WORK/web.log"; exit 1; }
    (( $(echo "$(since "$started") < $LIMIT" | bc) )) || { echo "No answer after $LIMIT s while $1."; cat "$WORK/web.log"; exit 1; }
}

dotnet build -c Release LogLikeMap.Cli -v q -nologo >/dev/null
dotnet build -c Release LogLikeMap.Web -v q -nologo >/dev/null
CLI=LogLikeMap.Cli/bin/Release/net10.0/linux-x64/loglikemap.dll
WEB=LogLikeMap.Web/bin/Release/net10.0/linux-x64/LogLikeMap.Web.dll

dotnet "$CLI" bench web-store --db "$WORK/loglikemap.db" --models "$MODELS" --texts "$TEXTS"
MODEL=$(printf 'family%02d%%2Fmodel-0000' 0)

echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
started=$(now)
Data__Folder="$WORK" Data__DemoMapFolder="$WORK/no-demo-map" ASPNETCORE_URLS="$BASE" \
    dotnet "$WEB" >"$WORK/web.log" 2>&1 &
SERVER=$!

# The first answer of the map page is the server-rendered map (Kestrel listens only once the map is loaded);
# it must show every model.
until curl -sf -o "$WORK/page.html" "$BASE/"; do
    still_waiting "waiting for the map page"
    sleep 0.05
done
page=$(since "$started")
grep -q "$MODELS models" "$WORK/page.html" || { echo "The first page does not show $MODELS models."; exit 1; }

until [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/models/$MODEL/neighbours?k=10") == 200 ]]; do
    still_waiting "waiting for the neighbour API"
    sleep 0.05
done
neighbours=$(since "$started")

# Each request names a model drawn (with a fixed random source) from the names the layout lists.
curl -s "$BASE/api/layout" | grep -o '"model":"[^"]*"' | cut -d'"' -f4 | sed 's|/|%2F|g' >"$WORK/names"
shuf -n "$QUERIES" -r --random-source=<(yes) "$WORK/names" | while read -r name; do
    curl -s -o /dev/null -w '%{time_total}\n' "$BASE/api/models/$name/neighbours?k=10"
done | sort -g >"$WORK/latency"
quantile() { awk -v p="$1" '{v[NR]=$1} END {i=int(p*NR+0.999999); if (i<1) i=1; printf "%.2f", 1000*v[i]}' "$WORK/latency"; }

rss=$(awk '/VmRSS/ {print $2/1024}' "/proc/$SERVER/status")
hwm=$(awk '/VmHWM/ {print $2/1024}' "/proc/$SERVER/status")
echo "Map page with $MODELS models answered ${page} s after the server process started."
echo "Neighbour API answered ${neighbours} s after start."
grep -hoE '(Map of|Neighbour index of) .*' "$WORK/web.log" | sed 's/^/  server log: /'
echo "GET /api/models/{name}/neighbours?k=10 over HTTP (curl, $QUERIES requests): median $(quantile 0.5) ms, p95 $(quantile 0.95) ms, max $(quantile 1) ms."
echo "Server memory: resident ${rss} MiB, peak ${hwm} MiB."
