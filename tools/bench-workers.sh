#!/usr/bin/env bash
# Issue 12's measurement: wall time for MODELS (4) tiny checkpoints queued with `loglikemap queue` and scored by one CPU
# worker, then by two, each worker an OS process beside one web process, all over a PostgreSQL cluster this script starts
# (tools/lib/worker-cluster.sh). Also prints the bytes a stored vector takes per 10,000 texts.
# Each worker scores with THREADS libtorch threads (1: one core each, as separate hosts or a host shared by its workers
# would give them; "all": every core each, so two workers on one host contend for the same cores).
#   tools/bench-workers.sh                    # TEXTS=60 CHUNK=10 MODELS=4 WORKERS="1 2" THREADS=1
set -euo pipefail
TEXTS=${TEXTS:-60}; CHUNK=${CHUNK:-10}; MODELS=${MODELS:-4}; WORKERS=${WORKERS:-"1 2"}; THREADS=${THREADS:-1}
source "$(dirname "$0")/lib/worker-cluster.sh"
WORKER_THREADS=(); if [ "$THREADS" != all ]; then WORKER_THREADS=(--Jobs:ScoringThreads="$THREADS"); fi

declare -A WALL
for n in $WORKERS; do
  create_database "bench_$n"
  start_app 5700 Web "$WORK/web-$n" --Data:DemoMapFolder="$WORK/map"; healthy 5700
  for w in $(seq "$n"); do start_app $((5700 + w)) Worker "$WORK/worker-$n-$w" "${WORKER_THREADS[@]}"; done
  for w in $(seq "$n"); do healthy $((5700 + w)); done
  start=$(date +%s.%N)
  queue_tiny_models "$MODELS" bench/tiny "$CHUNK"
  until [ "$(placed_count 5700 bench/tiny)" -ge "$MODELS" ]; do sleep 0.2; done
  WALL[$n]=$(echo "$(date +%s.%N) - $start" | bc)
  echo "workers=$n threads=$THREADS models=$MODELS texts=$TEXTS chunk=$CHUNK wall_s=${WALL[$n]}"
  bytes=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "bench_$n" -Atc \
    "SELECT avg(pg_column_size(\"LogLikelihoods\") + coalesce(pg_column_size(\"TokenCounts\"), 0)) FROM \"ScoreVectors\" v JOIN \"Models\" m ON m.\"Id\" = v.\"ModelId\" WHERE m.\"Name\" LIKE 'bench/%'")
  echo "stored vector: $bytes bytes for $TEXTS texts, $(echo "$bytes * 10000 / $TEXTS" | bc) bytes per 10,000 texts"
  stop_apps
done
if [ -n "${WALL[1]:-}" ] && [ -n "${WALL[2]:-}" ]; then
  echo "two workers / one worker wall time: $(echo "scale=3; ${WALL[2]} / ${WALL[1]}" | bc)"
fi
