#!/usr/bin/env bash
# Replays careless and hostile input against a make-report binary (default: the release build,
# built when missing), one line per case: "ok   NAME (S s)" or "FAIL NAME: why (S s)", S its wall
# time in whole seconds. Exits 1 when any case fails. The cases live in scripts/hostile/*.sh, one
# file per area; each defines functions named case_* and registers them with `hostile_case NAME
# FUNCTION`. Every case runs in a fresh empty folder of its own (its working directory), with $MR the
# binary and $REPO the repository. All files share one shell: name a file's variables after its area
# (OUTPUT_STUDY, STORE_STUDY, ...).
#
#   scripts/hostile.sh [BINARY]
#   HOSTILE_CASES=REGEX scripts/hostile.sh [BINARY]   # only the cases whose names match REGEX
#   HOSTILE_JOBS=N HOSTILE_CPU_SCALE=K scripts/hostile.sh [BINARY]   # N cases at a time (2); processor-time bounds times K (1)
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
  MR=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
  MR=$REPO/.build/release/make-report
  if [ ! -x "$MR" ]; then (cd "$REPO" && swift build -c release --product make-report 2>&1 | tail -n 1); fi
fi
export MR REPO
SCRATCH=$(mktemp -d)
trap 'chmod -R u+w "$SCRATCH" 2>/dev/null; rm -rf "$SCRATCH"' EXIT

# --- What a case can use -------------------------------------------------------------------------

# mr ARGS...: runs the binary (at most $MR_TIMEOUT seconds, default 120) with standard input closed;
# its output goes to $OUT and $ERR, its exit code to $RC (124 when it timed out).
mr() {
  timeout -k 5 "${MR_TIMEOUT:-120}" "$MR" "$@" </dev/null >"$OUT" 2>"$ERR"
  RC=$?
}

# refused PATTERN: the last `mr` exited 2 with exactly one line on stderr, matching the extended
# regular expression PATTERN, and at most 340 bytes long (300 for the reason and the quoted text,
# and 40 more since a path is quoted whole up to 80 characters, not 40).
refused() {
  [ "$RC" = 2 ] || { why "exit $RC, expected 2; stderr: $(head -c 300 "$ERR")"; return 1; }
  [ "$(wc -l <"$ERR")" -le 1 ] || { why "$(wc -l <"$ERR") lines on stderr: $(head -c 300 "$ERR")"; return 1; }
  [ "$(wc -c <"$ERR")" -le 340 ] || { why "$(wc -c <"$ERR")-character error: $(head -c 200 "$ERR")..."; return 1; }
  grep -Eq -- "$1" "$ERR" || { why "stderr does not match /$1/: $(head -c 300 "$ERR")"; return 1; }
}

# mr_timed ARGS...: `mr`, also putting the seconds it took in $CPU (processor time, user and system:
# the work, steady on a busy machine) and $WALL (wall-clock time).
mr_timed() {
  local TIMEFORMAT='%U %S %R' times user system
  times=$(mktemp)
  { time timeout -k 5 "${MR_TIMEOUT:-120}" "$MR" "$@" </dev/null >"$OUT" 2>"$ERR"; } 2>"$times"
  RC=$?
  read -r user system WALL <"$times"
  CPU=$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.2f", u + s }')
  rm -f "$times"
}

# within SECONDS: the last `mr_timed` took at most SECONDS of processor time beyond the binary's
# start-up ($STARTUP_CPU, measured below). The bounds are set for the release build, the runner's
# default; HOSTILE_CPU_SCALE multiplies them for another (CI runs the debug build with 8: its YAML
# parser took 0.45 s where the release build's takes 0.04 s, and a blow-up these cases guard against
# would take many seconds in either).
within() {
  local limit; limit=$(awk -v s="$1" -v k="${HOSTILE_CPU_SCALE:-1}" 'BEGIN { print s * k }')
  awk -v c="$CPU" -v start="$STARTUP_CPU" -v limit="$limit" 'BEGIN { exit !(c - start <= limit) }' ||
    { why "took ${CPU} s of processor time (${WALL} s on the clock; start-up ${STARTUP_CPU} s), more than $limit s beyond start-up"
      return 1; }
}

# succeeded: the last `mr` exited 0.
succeeded() {
  [ "$RC" = 0 ] || { why "exit $RC, expected 0; stderr: $(tail -c 300 "$ERR")"; return 1; }
}

# snapshot PATH: a listing of every entry below PATH (hidden ones too) with its type, mode, size and
# SHA-256, to compare before and after: `before=$(snapshot .)`, ..., `[ "$(snapshot .)" = "$before" ]`.
snapshot() {
  (cd "$1" && find . -mindepth 1 -printf '%p %y %m %s\n' | LC_ALL=C sort &&
   find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# unchanged PATH BEFORE: the snapshot of PATH is BEFORE.
unchanged() {
  [ "$(snapshot "$1")" = "$2" ] || { why "'$1' changed: $(diff <(echo "$2") <(snapshot "$1") | head -n 4 | tr '\n' ' ')"; return 1; }
}

# why TEXT: the reason a case failed (the last one given is printed).
why() { echo "$*" >"$WHY"; }

# --- The runner -----------------------------------------------------------------------------------

# The binary's start-up: the processor time of a run refused as soon as its options are parsed (a
# missing study file), the median of three. The debug build spends some 0.15-0.3 s there, mostly in
# the argument parser's checks of its own option definitions (compiled in debug builds only), which
# grow with the option groups (0.45-0.8 s while `run` nested groups in a group); the release build
# some 0.01 s. `within` bounds the time beyond it.
startup_times=()
mkdir "$SCRATCH/startup"
for _ in 1 2 3; do
  OUT=$SCRATCH/startup/stdout ERR=$SCRATCH/startup/stderr
  mr_timed run --study "$SCRATCH/startup/absent.yaml" --output "$SCRATCH/startup/out" --no-store
  [ "$RC" = 2 ] || { echo "hostile: measuring start-up: exit $RC, expected 2: $(head -c 300 "$ERR")"; exit 1; }
  startup_times+=("$CPU")
done
STARTUP_CPU=$(printf '%s\n' "${startup_times[@]}" | sort -n | sed -n 2p)
# The start-up itself is bounded too (0.1 s, times HOSTILE_CPU_SCALE), so that a slower start cannot
# hide in the bounds above.
startup_limit=$(awk -v k="${HOSTILE_CPU_SCALE:-1}" 'BEGIN { print 0.1 * k }')
echo "hostile: start-up ${STARTUP_CPU} s of processor time (bound $startup_limit s)"
awk -v c="$STARTUP_CPU" -v limit="$startup_limit" 'BEGIN { exit !(c <= limit) }' ||
  { echo "hostile: the binary's start-up took ${STARTUP_CPU} s of processor time, more than $startup_limit s"; exit 1; }

CASES=()
hostile_case() { CASES+=("$1:$2"); }
for file in "$REPO"/scripts/hostile/*.sh; do
  # shellcheck source=/dev/null
  . "$file"
done

# Two cases at a time (HOSTILE_JOBS), each in a subshell of its own folder: a case shares nothing
# with another but the binary. Their lines are printed in the order the cases are registered, each
# as soon as it and every case before it have ended.
# Each line ends with the case's wall time, to show where the step's time goes.
run_case() {
  local name=$1 function=$2 dir=$SCRATCH/$1 started=$SECONDS
  OUT=$dir/stdout ERR=$dir/stderr WHY=$dir/why
  : >"$WHY"
  if (cd "$dir/work" && "$function"); then
    echo "ok   $name ($((SECONDS - started)) s)" >"$dir/result.tmp"
  else
    echo "FAIL $name: $(cat "$WHY") ($((SECONDS - started)) s)" >"$dir/result.tmp"
  fi
  mv "$dir/result.tmp" "$dir/result"
}

SELECTED=()
for entry in "${CASES[@]}"; do
  [[ ${entry%%:*} =~ ${HOSTILE_CASES:-.} ]] && SELECTED+=("$entry")
done
failed=0 printed=0 running=0
# print_ended: prints the lines of the ended cases that follow the last one printed.
print_ended() {
  while (( printed < ${#SELECTED[@]} )); do
    local result=$SCRATCH/${SELECTED[$printed]%%:*}/result
    [ -e "$result" ] || return 0
    cat "$result"
    grep -q "^FAIL" "$result" && failed=$((failed + 1))
    printed=$((printed + 1))
  done
}
for entry in "${SELECTED[@]}"; do
  if (( running == ${HOSTILE_JOBS:-2} )); then wait -n; running=$((running - 1)); print_ended; fi
  mkdir -p "$SCRATCH/${entry%%:*}/work"
  run_case "${entry%%:*}" "${entry#*:}" &
  running=$((running + 1))
done
wait
print_ended
echo "hostile: $(( ${#SELECTED[@]} - failed )) passed, $failed failed"
[ "$failed" = 0 ]
