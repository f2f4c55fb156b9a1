#!/usr/bin/env bash
# Stop exactly the daemons that slurm-up.sh started (their PIDs are in $SYMLA_SLURM_STATE, default
# /tmp/symla-slurm) and nothing else: a PID is signalled only while /proc/PID/comm still names the
# program recorded, so a recycled PID or a daemon somebody else started is left alone.
# Running jobs are not cancelled (their slurmstepd processes outlive slurmd).
set -euo pipefail

STATE=${SYMLA_SLURM_STATE:-/tmp/symla-slurm}
if [ ! -d "$STATE" ]; then
  echo "slurm down: nothing recorded in $STATE"
  exit 0
fi

# Alive and not a zombie (an exited daemon can stay a zombie until its parent reaps it).
alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

stopped=()
# slurmd before slurmctld (so slurmctld does not mark the node down first), munged last.
for daemon in slurmd slurmctld munged; do
  pidfile="$STATE/$daemon.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$daemon" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done  # slurmctld saves state first
    if alive "$pid"; then
      echo "slurm-down: $daemon (PID $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    fi
    if alive "$pid"; then
      echo "slurm-down: error: $daemon (PID $pid) is still running" >&2
      exit 1
    fi
    stopped+=("$daemon")
  fi
  rm -f "$pidfile"
done
# The daemons' own pid files (slurm.conf points them here); munged's lives in /run/munge.
rm -f "$STATE/slurmctld.daemon.pid" "$STATE/slurmd.daemon.pid"
rmdir "$STATE" 2>/dev/null || true
echo "slurm down: stopped ${stopped[*]:-nothing (no recorded daemon was running)}"
