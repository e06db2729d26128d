#!/usr/bin/env bash
# Small manager for private, local PostgreSQL instances (one per directory).
# Used by ./eventchat and by the C# test fixture.
#
#   postgres.sh bindir                        print the folder with initdb/pg_ctl/postgres
#   postgres.sh start <dir> <port> [throwaway] start (initdb if needed); stdout: connection string
#   postgres.sh stop <dir>                    stop if running (never fails if not)
#   postgres.sh destroy <dir>                 stop, then delete <dir> (throwaway instances)
#   postgres.sh status <dir>                  exit 0 + connection string if running, else exit 3
#   postgres.sh createdb <port> <name>        create a database if missing
#   postgres.sh free-port                     print a free TCP port on 127.0.0.1
#
# Only results go to stdout; all progress and errors go to stderr, so callers
# can capture stdout safely. Env: PG_THROWAWAY=1 (same as "throwaway"),
# PG_BINDIR (force a bin folder).
set -euo pipefail

readonly PG_USER=postgres   # OS user that owns the cluster when we run as root
readonly PG_SUPERUSER=postgres
readonly START_TIMEOUT=30

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# PostgreSQL refuses to run as root, so as root every server-side command runs as $PG_USER.
# cd / first: the postgres user may not be allowed into the caller's cwd (e.g. /root).
as_pg() {
  if is_root; then
    (cd / && runuser -u "$PG_USER" -- "$@")
  else
    "$@"
  fi
}

has_server_bins() { [[ -x $1/initdb && -x $1/pg_ctl && -x $1/postgres ]]; }

# Prints the bin folder or returns 1; never installs anything.
find_bindir() {
  local d candidates=()
  if [[ -n ${PG_BINDIR:-} ]]; then
    has_server_bins "$PG_BINDIR" && { echo "$PG_BINDIR"; return 0; }
    log "warning: PG_BINDIR=$PG_BINDIR has no initdb/pg_ctl/postgres; searching elsewhere"
  fi
  if command -v pg_config >/dev/null 2>&1; then
    candidates+=("$(pg_config --bindir 2>/dev/null || true)")
  fi
  # Debian/Ubuntu keep server binaries off PATH, one folder per major version; newest first.
  while IFS= read -r d; do candidates+=("$d"); done < <(
    compgen -G '/usr/lib/postgresql/*/bin' | sort -t/ -k5,5Vr
    compgen -G '/usr/pgsql-*/bin' | sort -Vr
  )
  candidates+=(/usr/local/pgsql/bin)
  if command -v initdb >/dev/null 2>&1; then
    candidates+=("$(dirname "$(command -v initdb)")")
  fi
  for d in "${candidates[@]}"; do
    if [[ -n $d ]] && has_server_bins "$d"; then echo "$d"; return 0; fi
  done
  return 1
}

# Like find_bindir, but installs PostgreSQL via apt when we are allowed to.
ensure_bindir() {
  local d
  if d=$(find_bindir); then echo "$d"; return 0; fi
  if is_root && command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL server binaries not found; installing the Debian 'postgresql' package (apt-get)..."
    # Progress goes to stderr so stdout stays clean for the caller.
    apt-get -q -o Dpkg::Lock::Timeout=300 update >&2 \
      || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Lock::Timeout=300 \
      install --no-install-recommends postgresql >&2 \
      || die "apt-get install postgresql failed"
    if d=$(find_bindir); then
      log "installed PostgreSQL ($d)"
      echo "$d"; return 0
    fi
    die "PostgreSQL was installed but initdb/pg_ctl/postgres still cannot be found"
  fi
  log "error: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found."
  log "  Install PostgreSQL (e.g. 'sudo apt-get install postgresql', 'sudo dnf install postgresql-server',"
  log "  'brew install postgresql'), or set PG_BINDIR to its bin folder,"
  log "  or set ConnectionStrings__EventChat to point at your own PostgreSQL server."
  exit 1
}

conn_string() { echo "Host=127.0.0.1;Port=$1;Username=$PG_SUPERUSER;Database=postgres"; }

# Absolute, symlink-free path without requiring realpath -m.
abs_dir() { (cd "$1" && pwd -P); }

# When root, the postgres user needs search (x) permission on every ancestor of the dir
# (the dir itself is chowned to it, so e.g. a 0700 mkdtemp dir is fine).
check_traversable() {
  local dir=$1 parent p
  is_root || return 0
  parent=$(dirname "$dir")
  if runuser -u "$PG_USER" -- test -x "$parent" 2>/dev/null; then return 0; fi
  p=$parent
  while :; do
    if ! runuser -u "$PG_USER" -- test -x "$p" 2>/dev/null \
        && runuser -u "$PG_USER" -- test -x "$(dirname "$p")" 2>/dev/null; then
      die "the '$PG_USER' user cannot traverse '$p' (needed to reach $dir)." \
          "Use a directory elsewhere (e.g. under /tmp) or run: chmod o+x '$p'"
    fi
    [[ $p != / ]] || break
    p=$(dirname "$p")
  done
  die "the '$PG_USER' user cannot reach $dir"
}

# Serialise start/stop on one dir (parallel test runs, double ./eventchat run).
# The fd must not leak into the postmaster, or the lock would be held forever.
lock_dir() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>>"$1/.postgres.sh.lock"
  flock -w 120 9 || die "timed out waiting for another postgres.sh on $1"
}

# Port of the running postmaster (4th line of postmaster.pid).
running_port() { sed -n '4p' "$1/postmaster.pid" 2>/dev/null || true; }

is_running() { as_pg "$1/pg_ctl" -D "$2" status >/dev/null 2>&1; }

# Unix socket paths are limited to ~107 bytes, and pg_ctl passes -o through /bin/sh,
# so use <dir>/socket only if it is short and plain; else a private dir under /tmp
# (recorded in <dir>/socketdir so stop can remove it).
socket_dir() {
  local dir=$1 port=$2 s
  s=$dir/socket
  if [[ $s =~ ^[A-Za-z0-9/._+-]+$ ]] && (( ${#s} + ${#port} + 15 < 100 )); then
    mkdir -p "$s"
  else
    if [[ -f $dir/socketdir ]]; then s=$(<"$dir/socketdir"); fi
    if [[ ! -d $s || $s != /tmp/eventchat-pg.* ]]; then
      s=$(mktemp -d /tmp/eventchat-pg.XXXXXX)
      echo "$s" >"$dir/socketdir"
    fi
  fi
  if is_root; then chown "$PG_USER:" "$s"; fi
  echo "$s"
}

cmd_start() {
  local dir=${1:-} port=${2:-} mode=${3:-} bindir data log sockdir throwaway=0 opts actual out
  [[ -n $dir && -n $port ]] || { usage; exit 2; }
  if ! [[ $port =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then die "invalid port: $port"; fi
  if [[ $mode == throwaway || ${PG_THROWAWAY:-0} == 1 ]]; then throwaway=1
  elif [[ -n $mode ]]; then die "unknown start option '$mode' (expected 'throwaway')"; fi

  bindir=$(ensure_bindir)
  if is_root; then
    id -u "$PG_USER" >/dev/null 2>&1 \
      || die "running as root but there is no '$PG_USER' OS user to run PostgreSQL as (install the postgresql package or create the user)"
  fi

  mkdir -p "$dir"
  dir=$(abs_dir "$dir")
  data=$dir/data
  log=$dir/postgres.log
  if is_root; then
    check_traversable "$dir"
    chown -R "$PG_USER:" "$dir"
  fi
  lock_dir "$dir"

  if [[ -f $data/PG_VERSION ]] && is_running "$bindir" "$data"; then
    actual=$(running_port "$data")
    if [[ -n $actual && $actual != "$port" ]]; then
      log "already running on $dir, but on port $actual (not $port); using $actual"
      port=$actual
    else
      log "already running on $dir (port $port)"
    fi
  else
    if [[ ! -f $data/PG_VERSION ]]; then
      log "initialising a new cluster in $data"
      local initdb_args=(-D "$data" -U "$PG_SUPERUSER" -E UTF8 --locale=C
                         --auth-local=trust --auth-host=trust)
      # Skipping fsync is only safe when the data may be lost anyway.
      if (( throwaway )); then initdb_args+=(--no-sync); fi
      # initdb is chatty; show its output only when it fails.
      if ! out=$(as_pg "$bindir/initdb" "${initdb_args[@]}" 2>&1 9>&-); then
        printf '%s\n' "$out" >&2
        die "initdb failed for $data"
      fi
      # Trust only the local socket and loopback; nothing else may connect.
      as_pg tee "$data/pg_hba.conf" >/dev/null <<'EOF'
# Written by scripts/postgres.sh: local development/test cluster, trust on loopback only.
local   all  all                 trust
host    all  all  127.0.0.1/32   trust
EOF
    fi
    sockdir=$(socket_dir "$dir" "$port")
    opts="-h 127.0.0.1 -p $port -k $sockdir -c max_connections=300"
    # Test clusters are disposable: trade durability for speed.
    if (( throwaway )); then
      opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    log "starting PostgreSQL on 127.0.0.1:$port (data $data, log $log)"
    if ! as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -s -w -t "$START_TIMEOUT" -o "$opts" start >&2 9>&-; then
      log "error: pg_ctl start failed; last lines of $log:"
      tail -n 30 "$log" >&2 2>/dev/null || true
      exit 1
    fi
  fi

  local deadline=$((SECONDS + START_TIMEOUT))
  until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres -t 2 9>&-; do
    if (( SECONDS >= deadline )); then
      log "error: PostgreSQL did not accept connections on 127.0.0.1:$port within ${START_TIMEOUT}s; last lines of $log:"
      tail -n 30 "$log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
  conn_string "$port"
}

cmd_stop() {
  local dir=${1:-} bindir data sockdir
  [[ -n $dir ]] || { usage; exit 2; }
  [[ -d $dir ]] || { log "nothing to stop ($dir does not exist)"; return 0; }
  dir=$(abs_dir "$dir")
  data=$dir/data
  # No binaries means nothing of ours can be running; never install just to stop.
  bindir=$(find_bindir) || { log "nothing to stop (no PostgreSQL binaries)"; return 0; }
  [[ -f $data/PG_VERSION ]] || { log "nothing to stop (no cluster in $data)"; return 0; }
  if [[ -w $dir ]]; then lock_dir "$dir"; fi
  if is_running "$bindir" "$data"; then
    log "stopping PostgreSQL ($data)"
    if ! as_pg "$bindir/pg_ctl" -D "$data" -s -m fast -w -t 60 stop >&2 9>&-; then
      log "fast shutdown failed; trying immediate shutdown"
      as_pg "$bindir/pg_ctl" -D "$data" -s -m immediate -w -t 30 stop >&2 9>&- || true
    fi
  else
    log "not running ($data)"
  fi
  # Remove a private /tmp socket dir once it is empty (the server removes its socket).
  if [[ -f $dir/socketdir ]]; then
    sockdir=$(<"$dir/socketdir")
    if [[ $sockdir == /tmp/eventchat-pg.* ]] && rmdir "$sockdir" 2>/dev/null; then
      rm -f "$dir/socketdir"
    fi
  fi
}

cmd_status() {
  local dir=${1:-} bindir data port
  [[ -n $dir ]] || { usage; exit 2; }
  [[ -d $dir ]] || exit 3
  data=$(abs_dir "$dir")/data
  bindir=$(find_bindir) || exit 3
  if [[ ! -f $data/PG_VERSION ]] || ! is_running "$bindir" "$data"; then exit 3; fi
  port=$(running_port "$data")
  [[ -n $port ]] || exit 3
  conn_string "$port"
}

cmd_createdb() {
  local port=${1:-} name=${2:-} bindir
  [[ -n $port && -n $name ]] || { usage; exit 2; }
  bindir=$(ensure_bindir)
  # psql variables quote the name safely (:'name' literal, %I identifier); \gexec runs
  # CREATE DATABASE only when missing (it cannot run inside a DO block).
  PGCONNECT_TIMEOUT=10 "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -v name="$name" \
      -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres >&2 <<'SQL' \
    || die "could not create database '$name' on 127.0.0.1:$port"
SELECT format('CREATE DATABASE %I', :'name')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name')
\gexec
SQL
}

port_in_use() {
  local p=$1
  if command -v ss >/dev/null 2>&1 && [[ -n $(ss -Htan "sport = :$p" 2>/dev/null) ]]; then
    return 0
  fi
  # Connecting succeeds only if something listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
}

cmd_free_port() {
  local i p
  # Stay below the usual Linux ephemeral range (32768+) to avoid outgoing-connection ports.
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 12000))
    if ! port_in_use "$p"; then echo "$p"; return 0; fi
  done
  die "could not find a free port on 127.0.0.1"
}

main() {
  local cmd=${1:-help}
  shift || true
  case $cmd in
    bindir)    ensure_bindir ;;
    start)     cmd_start "$@" ;;
    stop)      cmd_stop "$@" ;;
    destroy)   cmd_stop "$@"; rm -rf -- "${1:?usage: destroy <dir>}" ;;
    status)    cmd_status "$@" ;;
    createdb)  cmd_createdb "$@" ;;
    free-port) cmd_free_port ;;
    help|-h|--help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
