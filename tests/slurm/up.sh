#!/usr/bin/env bash
# Bring up a private single-node SLURM cluster (munged, slurmctld, slurmd) with every file
# under one folder, for tests and CI on a machine without systemd.
#   eval "$(tests/slurm/up.sh DIR)"     # prints: export SLURM_CONF=DIR/slurm.conf
#   ... sbatch / squeue / scontrol ...
#   tests/slurm/down.sh DIR
# Installs the Debian packages slurmctld slurmd slurm-client munge when missing (without
# letting their install scripts start daemons). The node is `hostname -s` with CPUs=8
# whatever the real core count, so -n4 and -n8 jobs run on a small machine.
# Only the export line goes to stdout; progress and errors go to stderr.
set -eu
dir=${1:?usage: tests/slurm/up.sh DIR   (an empty or new folder)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
say() { echo "slurm-up: $*" >&2; }
die() { echo "slurm-up: error: $*" >&2; exit 1; }

# Root runs the daemons; as another user they are started with sudo.
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    say "not root: using sudo to install packages and start the daemons"
    sudo="sudo"
  else
    die "not root and no sudo: the SLURM and munge daemons must run as root"
  fi
fi

# --- packages --------------------------------------------------------------------------
pkgs="slurmctld slurmd slurm-client munge"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "installing missing Debian packages:$missing"
  # Without systemd the packages' scripts would start the daemons with the system config;
  # a policy-rc.d that exits 101 forbids that. Ours is removed again afterwards.
  made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  rc=0
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || rc=$?
  if [ "$rc" -eq 0 ]; then
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends $missing >&2 || rc=$?
  fi
  [ -n "$made_policy" ] && $sudo rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || die "apt-get failed (exit $rc)"
fi
for c in munged mungekey slurmctld slurmd sinfo; do
  command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || die "$c not found after install"
done
PATH=$PATH:/usr/sbin

# --- layout ----------------------------------------------------------------------------
for f in munge/munged.pid slurmctld.pid slurmd.pid; do
  if [ -s "$dir/$f" ] && kill -0 "$(cat "$dir/$f")" 2>/dev/null; then
    die "$dir already runs a cluster ($f); stop it with tests/slurm/down.sh $dir"
  fi
done
node=$(hostname -s)
$sudo chmod 755 "$dir"
# munged insists on a socket folder that only its owner can write to.
$sudo install -d -m 0755 "$dir/munge"
$sudo install -d -m 0700 "$dir/state" "$dir/spool"
$sudo install -d -m 0755 "$dir/log"

# Ports: SLURM's defaults unless taken (another cluster on this host), else a free pair.
port_free() {
  if command -v ss >/dev/null 2>&1; then
    [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
  else
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 1; fi
  fi
}
ctld_port=6817
while ! port_free "$ctld_port" || ! port_free $((ctld_port + 1)); do
  ctld_port=$((20000 + RANDOM % 20000))
done
slurmd_port=$((ctld_port + 1))

# --- munge -----------------------------------------------------------------------------
# Its own key, root-owned (root's munged rejects the packaged key, owned by the munge user).
if [ ! -s "$dir/munge/munge.key" ]; then
  $sudo mungekey --create --keyfile="$dir/munge/munge.key"
fi
$sudo chown root:root "$dir/munge/munge.key"
$sudo chmod 0400 "$dir/munge/munge.key"
$sudo munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
  --seed-file="$dir/munge/munged.seed" || die "munged did not start (see $dir/munge/munged.log)"
# From here on a failure may leave daemons running: tests/slurm/down.sh DIR stops them.
started() { die "$* (see $dir/log; stop what runs with tests/slurm/down.sh $dir)"; }

# --- slurm.conf and cgroup.conf --------------------------------------------------------
# Listening on loopback only works when the host name resolves to exactly 127.0.0.1.
comm_params=""
if [ "$(getent ahostsv4 "$node" 2>/dev/null | awk '{print $1}' | sort -u)" = "127.0.0.1" ]; then
  comm_params="CommunicationParameters=NoInAddrAny,NoCtldInAddrAny"
fi
cat >"$dir/slurm.conf" <<EOF
# A private single-node cluster made by tests/slurm/up.sh; stop it with tests/slurm/down.sh.
ClusterName=atoll-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire (default 120 s) is also how long a requeued job waits before it may start
# again: 10 s keeps the restart tests short.
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
CredType=cred/munge
$comm_params
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# Every finished (or requeued) job as one line: state, exit code, times.
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=pmix
ReturnToService=2
MailProg=/bin/true
# Start jobs at once (the defaults add 2-3 s to every start), and a requeued job soon
# after it becomes eligible again (the periodic passes default to 60 s and 30 s).
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,sched_interval=5,bf_interval=5
DependencyParameters=kill_invalid_depend
# A request the partition can never satisfy fails at submit instead of pending forever.
EnforcePartLimits=ALL
# The node claims more CPUs than the machine has (jobs of -n4/-n8 run on 2 cores).
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
# slurmd 22.05 always loads a cgroup plugin and its autodetection fails in containers.
cat >"$dir/cgroup.conf" <<'EOF'
CgroupPlugin=cgroup/v1
CgroupAutomount=no
ConstrainCores=no
ConstrainDevices=no
ConstrainRAMSpace=no
ConstrainSwapSpace=no
EOF
export SLURM_CONF=$dir/slurm.conf

# --- daemons ---------------------------------------------------------------------------
$sudo slurmctld -f "$SLURM_CONF" || started "slurmctld did not start"
$sudo slurmd -f "$SLURM_CONF" -N "$node" || started "slurmd did not start"

# Client commands hang ~50 s when munged or slurmctld is gone: always under timeout.
state=""
for _ in $(seq 1 60); do
  state=$(timeout 5 sinfo -h -o %t 2>/dev/null | head -1) || true
  [ "$state" = "idle" ] && break
  sleep 0.5
done
if [ "$state" != "idle" ]; then
  say "node state is '${state:-unknown}' after 30 s; logs:"
  tail -n 5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  started "the cluster did not come up"
fi
say "cluster up in $dir: node $node idle (ports $ctld_port/$slurmd_port)"
echo "export SLURM_CONF=$dir/slurm.conf"
