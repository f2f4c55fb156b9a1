#!/usr/bin/env bash
# Start a one-node SLURM cluster on this machine (for the SLURM tests and CI), as root, without
# systemd: munged, slurmctld and slurmd from Debian's packages (installed when missing).
# Idempotent: a second run starts nothing new. The PIDs of the daemons this script started go to
# $SYMLA_SLURM_STATE (default /tmp/symla-slurm) so that slurm-down.sh stops exactly those.
# slurm.conf must live at /etc/slurm/slurm.conf: snakemake-executor-plugin-slurm drops SLURM_CONF
# when it calls srun inside a job, so a conf elsewhere would not be found there.
set -euo pipefail

STATE=${SYMLA_SLURM_STATE:-/tmp/symla-slurm}
CONF=/etc/slurm/slurm.conf
LOGS=(/var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log /var/log/munge/munged.log)
MARK="Written by symla workflow/scripts/slurm-up.sh"

fail() { # one clear line, then the end of the daemon logs to say why
  echo "slurm-up: error: $*" >&2
  for log in "${LOGS[@]}"; do
    [ -s "$log" ] && { echo "--- tail of $log:" >&2; tail -n 8 "$log" >&2; }
  done
  exit 1
}
if [ "$(id -u)" != 0 ]; then
  echo "slurm-up: error: must run as root (it installs packages and starts daemons)" >&2
  exit 2
fi

# Install only what is missing, so a warm run never touches apt.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
   || ! command -v munged >/dev/null || ! command -v sinfo >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  # The packages' postinst would start munge/slurmd/slurmctld through their init scripts; this
  # script starts (and records) them itself, so forbid that with a temporary policy-rc.d.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from symla slurm-up.sh\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq >/dev/null || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null \
    || fail "apt-get install of slurmctld slurmd slurm-client munge failed"
  if [ "$(trap -p EXIT)" ]; then rm -f "$policy"; trap - EXIT; fi
fi

# PIDs of a program that are alive (a daemon that just exited may linger as a zombie).
live() {
  local p
  for p in $(pgrep -x "$1" || true); do
    [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] || echo "$p"
  done
}
# True when the daemon recorded in the state dir is still that program and alive.
ours_running() {
  local pid
  [ -s "$STATE/$1.pid" ] || return 1
  pid=$(cat "$STATE/$1.pid")
  live "$1" | grep -qx "$pid"
}
# Wait up to 15 s for a daemon to write its pid file; print the PID if it is that program.
wait_pidfile() {
  local file=$1 prog=$2 pid
  for _ in $(seq 150); do
    if [ -s "$file" ]; then
      pid=$(cat "$file")
      [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$prog" ] && { echo "$pid"; return 0; }
    fi
    sleep 0.1
  done
  return 1
}

# Refuse to stack a second set on slurm daemons someone else started; checked before munge and
# slurm.conf are touched, so a refused run changes nothing.
for daemon in slurmctld slurmd; do
  if ! ours_running "$daemon" && [ -n "$(live "$daemon")" ]; then
    fail "a $daemon not started by this script (or recorded in another SYMLA_SLURM_STATE) is running, PID $(live "$daemon" | head -n1); stop it first"
  fi
done

mkdir -p "$STATE" /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm \
  /etc/munge /run/munge /var/lib/munge /var/log/munge

# munge: a private key owned by munge (the package's postinst normally makes one), and one
# munged running as the munge user (munged refuses to run as root).
if [ ! -s /etc/munge/munge.key ]; then
  (umask 077; dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none)
fi
chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge /var/log/munge; chmod 0400 /etc/munge/munge.key; chmod 0755 /run/munge
if [ -z "$(live munged)" ]; then
  rm -f /run/munge/munged.pid  # a stale one would pass for the new daemon's
  runuser -u munge -- /usr/sbin/munged || fail "munged did not start"
  pid=$(wait_pidfile /run/munge/munged.pid munged) || fail "munged did not write its pid file"
  echo "$pid" > "$STATE/munged.pid"
fi
munge -n | unmunge >/dev/null 2>&1 || fail "munge credentials do not round-trip (munge -n | unmunge)"

# One node: this host, with its CPUs and its memory less a margin (slurmd drains a node that
# reports less memory than RealMemory). NodeName must equal `hostname -s`, which is how slurmd
# finds its own line; the addresses are pinned to 127.0.0.1 so that the host name need not resolve.
node=$(hostname -s)
cpus=$(nproc)
mem_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
margin=$(( mem_mb / 20 > 512 ? mem_mb / 20 : 512 ))
mem_mb=$(( mem_mb > 2 * margin ? mem_mb - margin : mem_mb / 2 ))
new_conf=$(cat <<CONF
# $MARK: a one-node cluster for tests.
ClusterName=symla
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$STATE/slurmctld.daemon.pid
SlurmdPidFile=$STATE/slurmd.daemon.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# No cgroups here (no systemd, maybe a sandbox): track processes by parent PID, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
# No slurmdbd: job states come from squeue only, so finished jobs must stay listed for a while
# (MinJobAge >= 3x the snakemake status-check delay).
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=300
# A node that was down comes back by itself when its slurmd registers again.
ReturnToService=2
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
)
conf_changed=0
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$new_conf" ]; then
  if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    cp -p "$CONF" "$CONF.symla-backup"
    echo "slurm-up: the existing $CONF was saved as $CONF.symla-backup"
  fi
  printf '%s\n' "$new_conf" > "$CONF"
  conf_changed=1
fi

# slurmctld first (slurmd registers with it).
for daemon in slurmctld slurmd; do
  if ours_running "$daemon"; then
    # Ours already run: never a second set; let them re-read a changed conf (jobs survive).
    if [ "$conf_changed" = 1 ] && [ "$daemon" = slurmctld ]; then
      scontrol reconfigure && echo "slurm-up: $CONF changed; the running daemons re-read it" >&2
    fi
    continue
  fi
  rm -f "$STATE/$daemon.daemon.pid" "$STATE/$daemon.pid"
  if [ "$daemon" = slurmctld ]; then
    /usr/sbin/slurmctld -i || fail "slurmctld exited at start"  # -i: tolerate unreadable old state
  else
    /usr/sbin/slurmd || fail "slurmd exited at start"
  fi
  pid=$(wait_pidfile "$STATE/$daemon.daemon.pid" "$daemon") || fail "$daemon did not come up (no pid file within 15 s)"
  echo "$pid" > "$STATE/$daemon.pid"
done

# Wait (60 s at most) for the node to be usable; resume it if it registered as down/drained.
deadline=$(( SECONDS + 60 ))
node_state=unknown
while [ "$SECONDS" -lt "$deadline" ]; do
  node_state=$(sinfo -h -N -n "$node" -o %T 2>/dev/null | head -n1 || true)
  case "$node_state" in
    idle|mixed|allocated|completing)
      echo "slurm up: node $node $node_state, $cpus CPUs"; exit 0 ;;
    down*|drain*|fail*)
      scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.5
done
fail "node $node did not become idle within 60 s (state: ${node_state:-none}; see $CONF)"
