#!/usr/bin/env bash
# Stop exactly the daemons that slurm-up.sh started (PIDs in $SYMLA_SLURM_STATE); nothing else.
set -euo pipefail

STATE=${SYMLA_SLURM_STATE:-/tmp/symla-slurm}
[ -d "$STATE" ] || exit 0

alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

for daemon in slurmd slurmctld munged; do
  pidfile="$STATE/$daemon.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$daemon" ]; then
    kill "$pid"
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -9 "$pid"; fi
  fi
  rm -f "$pidfile"
done
rm -f "$STATE"/*.daemon.pid
rmdir "$STATE" 2>/dev/null || true
echo "slurm down"
