#!/usr/bin/env bash
# Runs COMMAND... ITEM for every ITEM, JOBS at a time (default 2: the CI machine's cores), and prints
# each one's output (its standard output and error, whole, never interleaved with another's) in the
# items' order, as soon as it and every item before it have ended. Exits 1 when any failed (after
# all have run, so that every failure is shown), 0 otherwise.
#   scripts/each.sh [-j JOBS] COMMAND... -- ITEM...
# Used by CI and the Makefile for independent checks of many reports or studies (make paper, make
# browser-check, the check of the committed artifacts), which one at a time leave a core idle
# while one waits on its disk writes or its helper processes.
set -uo pipefail
jobs=2
if [ "${1:-}" = -j ]; then jobs=${2:-}; shift 2 || true; fi
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "each.sh: error: -j needs a positive whole number, not '$jobs'" >&2; exit 2; }
command=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do command+=("$1"); shift; done
if [ $# -eq 0 ] || [ ${#command[@]} -eq 0 ]; then echo "usage: $0 [-j JOBS] COMMAND... -- ITEM..." >&2; exit 2; fi
shift
items=("$@")
logs=$(mktemp -d)
# An interruption stops the jobs this script started, and their commands (by their PIDs), before
# their logs are removed.
pids=()
trap 'for pid in "${pids[@]}"; do pkill -P "$pid" 2>/dev/null; kill "$pid" 2>/dev/null; done; rm -rf "$logs"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failed=0 printed=0 running=0
# Prints, in order, the output of every ended item from the first one not printed yet up to the
# first one still running.
print_ended() {
  while (( printed < ${#items[@]} )) && [ -e "$logs/$printed.status" ]; do
    cat "$logs/$printed.log"
    [ "$(cat "$logs/$printed.status")" = 0 ] || failed=1
    printed=$((printed + 1))
  done
}
for index in "${!items[@]}"; do
  if (( running == jobs )); then wait -n; running=$((running - 1)); print_ended; fi
  # The status file is written once the item's command has ended, whatever its exit status.
  { "${command[@]}" "${items[$index]}" >"$logs/$index.log" 2>&1; echo $? >"$logs/$index.status"; } &
  pids+=($!)
  running=$((running + 1))
done
wait
print_ended
exit "$failed"
