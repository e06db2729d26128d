#!/usr/bin/env bash
# Cleans up after a test run: the servers it started and the folder it kept them in.
# Used by the integration tests' fixture (tests/EventChat.IntegrationTests/Infrastructure/TestRun.cs), the browser
# tests (tests/browser) and ./eventchat test.
#
#   test-run.sh clean <dir>          stop every server a test run left in <dir>, then delete <dir>
#   test-run.sh watch <pid> <dir>    once process <pid> is gone, clean <dir>; returns early if <dir> goes first
#
# A run keeps everything below one folder: PostgreSQL clusters (<something>/data/PG_VERSION) and pid files named
# eventchat-<kind>-<pid>.pid holding "<pid> <start time>" (field 22 of /proc/<pid>/stat). A pid file's process is
# killed only if it still has that start time: a pid reused by another process since is left alone.
# The fixtures stop what they start themselves; this is for a run whose process was killed (SIGKILL, a crash, a
# runner's timeout) before its teardown ran. Run watch in a session of its own (setsid), so the Ctrl-C that stops
# the tests does not stop the watchdog too.
set -euo pipefail

readonly PG_SCRIPT=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/postgres.sh

# The start time of process <pid>, or nothing if there is none.
start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  # Field 2, the command name, is in parentheses and may hold spaces: count from after it (field 3 is $1).
  stat=${stat##*) }
  # shellcheck disable=SC2086  # split into fields on purpose
  set -- $stat
  echo "${20}"
}

cmd_clean() {
  local dir=${1:?usage: test-run.sh clean <dir>} file pid started data
  [[ -d $dir ]] || return 0
  while IFS= read -r -d '' file; do
    read -r pid started <"$file" || true
    if [[ $pid =~ ^[0-9]+$ && -n $started && $(start_time "$pid") == "$started" ]]; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f -- "$file"
  done < <(find "$dir" -name 'eventchat-*.pid' -type f -print0 2>/dev/null)
  while IFS= read -r -d '' data; do
    bash "$PG_SCRIPT" stop "${data%/data/PG_VERSION}" >/dev/null 2>&1 || true
  done < <(find "$dir" -path '*/data/PG_VERSION' -type f -print0 2>/dev/null)
  rm -rf -- "$dir"
}

cmd_watch() {
  local owner=${1:?usage: test-run.sh watch <pid> <dir>} dir=${2:?usage: test-run.sh watch <pid> <dir>} started
  # Let go of the caller's output, or a runner waiting for it to close would wait for this process too.
  exec </dev/null >/dev/null 2>&1
  started=$(start_time "$owner")
  while [[ -d $dir && -n $started && $(start_time "$owner") == "$started" ]]; do
    sleep 1
  done
  cmd_clean "$dir"
}

case ${1:-} in
  clean) shift; cmd_clean "$@" ;;
  watch) shift; cmd_watch "$@" ;;
  *) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
