#!/usr/bin/env bash
# Stop the private cluster that tests/slurm/up.sh DIR started: cancel its jobs, then stop
# slurmd, slurmctld and munged by the PIDs in their pid files under DIR (never by name).
# Leaves DIR and its logs in place and touches nothing outside it. Safe to run twice, or
# on a half-started cluster.
#   tests/slurm/down.sh DIR
set -u
dir=${1:?usage: tests/slurm/down.sh DIR}
[ -d "$dir" ] || { echo "slurm-down: no folder $dir" >&2; exit 1; }
dir=$(cd "$dir" && pwd)
say() { echo "slurm-down: $*" >&2; }
PATH=$PATH:/usr/sbin

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    say "not root: using sudo to stop the daemons"
    sudo="sudo"
  else
    say "not root and no sudo: cannot signal the root-owned daemons"
  fi
fi

# alive PIDFILE NAME: print the pid in PIDFILE if that process runs the program NAME (a
# guard against a pid reused by an unrelated process since the file was written).
alive() {
  local pid
  [ -s "$1" ] || return 1
  pid=$( { tr -dc '0-9' <"$1"; } 2>/dev/null)  # the daemon may remove it as it exits
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
  [ "$(cat "/proc/$pid/comm")" = "$2" ] || return 1
  # A zombie has exited already; only its parent has not collected it yet.
  [ "$(sed 's/.*) //' "/proc/$pid/stat" | cut -c1)" != Z ] || return 1
  echo "$pid"
}

# stop PIDFILE NAME: TERM, up to 15 s to exit, then KILL.
stop() {
  local pid
  pid=$(alive "$1" "$2") || return 0
  $sudo kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 30); do
    alive "$1" "$2" >/dev/null || { say "stopped $2 (pid $pid)"; return 0; }
    sleep 0.5
  done
  say "$2 (pid $pid) ignored TERM for 15 s: KILL"
  $sudo kill -KILL "$pid" 2>/dev/null
  sleep 0.5
}

export SLURM_CONF=$dir/slurm.conf
# Jobs first, while the controller still runs: their processes belong to no pid file.
if alive "$dir/slurmctld.pid" slurmctld >/dev/null && alive "$dir/munge/munged.pid" munged >/dev/null; then
  jobs=$(timeout 10 squeue -h -o %i 2>/dev/null | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    say "cancelling jobs: $jobs"
    # shellcheck disable=SC2086
    timeout 10 scancel $jobs 2>/dev/null
    # A cancelled job gets TERM, then KILL after KillWait (30 s).
    for _ in $(seq 1 45); do
      [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
      sleep 1
    done
    left=$(timeout 5 squeue -h -o '%i %T' 2>/dev/null | tr '\n' ' ')
    [ -n "${left// /}" ] && say "jobs still listed after 45 s: $left"
  fi
fi

stop "$dir/slurmd.pid" slurmd
stop "$dir/slurmctld.pid" slurmctld
stop "$dir/munge/munged.pid" munged
status=0
for f in slurmd.pid:slurmd slurmctld.pid:slurmctld munge/munged.pid:munged; do
  if pid=$(alive "$dir/${f%%:*}" "${f##*:}"); then
    say "${f##*:} (pid $pid) still runs"
    status=1
  fi
done
exit "$status"
