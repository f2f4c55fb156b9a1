#!/usr/bin/env bash
# Start a one-node SLURM cluster on this machine (for the SLURM tests and CI), as root, without
# systemd: munged, slurmctld and slurmd from Debian's packages (installed when missing). Idempotent.
# The PIDs of the daemons this script starts go to $SYMLA_SLURM_STATE so slurm-down.sh stops
# exactly those. slurm.conf must live at /etc/slurm/slurm.conf: the slurm executor plugin drops
# SLURM_CONF when it calls srun inside a job.
set -euo pipefail

STATE=${SYMLA_SLURM_STATE:-/tmp/symla-slurm}
CONF=/etc/slurm/slurm.conf

die() { echo "slurm-up: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts daemons)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null \
   || ! command -v sinfo >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null \
    || die "apt-get install of slurmctld slurmd slurm-client munge failed"
fi

# Live (non-zombie) PIDs of a program: daemons that just exited may linger as zombies.
live() { for p in $(pgrep -x "$1"); do [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] || echo "$p"; done; }

mkdir -p "$STATE" /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge

# munge: a key, owned by munge, and one daemon running as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key; chmod 0755 /run/munge
if [ -z "$(live munged)" ]; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  [ -s /run/munge/munged.pid ] || die "munged did not start (see /var/log/munge/munged.log)"
  cp /run/munge/munged.pid "$STATE/munged.pid"
fi

node=$(hostname -s)
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
new_conf=$(cat <<CONF
# Written by symla workflow/scripts/slurm-up.sh: a one-node cluster for tests.
ClusterName=symla
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$STATE/slurmctld.daemon.pid
SlurmdPidFile=$STATE/slurmd.daemon.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=300
DefMemPerCPU=1024
KillWait=5
NodeName=$node CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
)
if [ -f "$CONF" ] && [ "$(cat "$CONF")" != "$new_conf" ] && ! grep -q "symla workflow/scripts/slurm-up.sh" "$CONF"; then
  cp "$CONF" "$CONF.symla-backup"
  echo "slurm-up: an existing $CONF was saved as $CONF.symla-backup"
fi
printf '%s\n' "$new_conf" > "$CONF"

running() { [ -f "$STATE/$1.pid" ] && live "$1" | grep -qx "$(cat "$STATE/$1.pid")"; }

if ! running slurmctld; then
  [ -n "$(live slurmctld)" ] && die "a slurmctld not started by this script is running; stop it first"
  /usr/sbin/slurmctld -i
  for _ in $(seq 50); do [ -s "$STATE/slurmctld.daemon.pid" ] && break; sleep 0.1; done
  cp "$STATE/slurmctld.daemon.pid" "$STATE/slurmctld.pid"
fi
if ! running slurmd; then
  [ -n "$(live slurmd)" ] && die "a slurmd not started by this script is running; stop it first"
  /usr/sbin/slurmd
  for _ in $(seq 50); do [ -s "$STATE/slurmd.daemon.pid" ] && break; sleep 0.1; done
  cp "$STATE/slurmd.daemon.pid" "$STATE/slurmd.pid"
fi

for _ in $(seq 120); do
  node_state=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -n1 || true)
  case "$node_state" in
    idle*|mixed*|alloc*) echo "slurm up: node $node $node_state, $cpus CPUs"; exit 0 ;;
    down*|drain*) scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.5
done
echo "slurm-up: node $node did not become idle within 60 s (state: ${node_state:-unknown})" >&2
tail -n 5 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
