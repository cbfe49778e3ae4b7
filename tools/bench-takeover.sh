#!/usr/bin/env bash
# Issue 12's fault measurement: one web role and two CPU workers (one libtorch thread each) over a PostgreSQL cluster
# this script starts (tools/lib/worker-cluster.sh). One tiny checkpoint is queued; when the worker scoring it has
# stored its first chunk it is killed with SIGKILL, and the script times how long until the job is queued again (the
# dead server noticed), until the other worker stores the job's next chunk (the takeover) and until the model is placed. HEARTBEAT and ORPHAN set Jobs:ServerHeartbeat and
# Jobs:OrphanAfter; unset, the app's defaults (30 s and 2 min) apply.
#   tools/bench-takeover.sh                              # TEXTS=60 CHUNK=5, the app's defaults
#   HEARTBEAT=00:00:01 ORPHAN=00:00:15 tools/bench-takeover.sh
set -euo pipefail
TEXTS=${TEXTS:-60}; CHUNK=${CHUNK:-5}
source "$(dirname "$0")/lib/worker-cluster.sh"
SETTINGS=(--Jobs:ScoringThreads=1 --Jobs:ScoringChunkDelay=00:00:01)   # a pause per chunk leaves time to kill mid-job
if [ -n "${HEARTBEAT:-}" ]; then SETTINGS+=(--Jobs:ServerHeartbeat="$HEARTBEAT"); fi
if [ -n "${ORPHAN:-}" ]; then SETTINGS+=(--Jobs:OrphanAfter="$ORPHAN"); fi

stored() { grep -c "Stored chunk" "$1.log" || true; }
create_database takeover
start_app 5700 Web "$WORK/web" --Data:DemoMapFolder="$WORK/map" "${SETTINGS[@]}"; healthy 5700
start_app 5701 Worker "$WORK/worker-1" "${SETTINGS[@]}"
start_app 5702 Worker "$WORK/worker-2" "${SETTINGS[@]}"
healthy 5701; healthy 5702
queue_tiny_models 1 bench/takeover "$CHUNK"
until [ "$(stored "$WORK/worker-1")" -gt 0 ] || [ "$(stored "$WORK/worker-2")" -gt 0 ]; do sleep 0.05; done
if [ "$(stored "$WORK/worker-1")" -gt 0 ]; then victim=1; other=2; else victim=2; other=1; fi
kill -9 "${PIDS[$victim]}"
killed=$(date +%s.%N)
echo "killed worker $victim (pid ${PIDS[$victim]}) after it stored $(stored "$WORK/worker-$victim") of $((TEXTS / CHUNK)) chunks"
until cat "$WORK"/*.log | grep -q "is queued again and resumes"; do sleep 0.05; done
requeued=$(echo "$(date +%s.%N) - $killed" | bc)
until [ "$(stored "$WORK/worker-$other")" -gt 0 ]; do sleep 0.05; done
taken=$(echo "$(date +%s.%N) - $killed" | bc)
until [ "$(placed_count 5700 bench/takeover)" -ge 1 ]; do sleep 0.2; done
placed=$(echo "$(date +%s.%N) - $killed" | bc)
echo "heartbeat=${HEARTBEAT:-default} orphan=${ORPHAN:-default}: after the kill, the job was queued again at ${requeued} s," \
  "the other worker stored its next chunk at ${taken} s, and the model was placed at ${placed} s"
echo "chunks stored: worker $victim $(stored "$WORK/worker-$victim"), worker $other $(stored "$WORK/worker-$other") (of $((TEXTS / CHUNK)))"
