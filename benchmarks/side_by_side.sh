#!/usr/bin/env bash
# Measures two make-report binaries side by side on the default study's whole command, as a user runs
# it (`make-report --output DIR --quiet`), and prints each binary's mean wall and CPU time and the
# difference (new − old) with its paired 95% confidence interval.
#
#   benchmarks/side_by_side.sh [--engine-only] OLD_BINARY NEW_BINARY [ROUNDS]     (ROUNDS: at least 2, default 10)
#
# --engine-only times training alone, without the report, figures and results.json: each round runs
# `make-report run --shard 1/1 --no-store --quiet` once per binary (cold only; there is no warm
# mode), which trains every run of the default study and writes only results.part-1-of-1.json (the
# runs' results, no analysis, report or figure). Both this version and 0.3.0 (ea75204) have
# `--shard K/N`; `bench --steps-only` exists only in the newer one, and `bench --engine-only`, in
# both, prints tables of different content rather than one command's time, so neither can be timed
# side by side. What is left beside training is the process start, reading the study and writing
# the part file, tens of milliseconds (the new binary's `bench --steps-only` splits them).
#
# Each binary works in a scratch folder of its own (under $TMPDIR, removed at the end): one untimed
# run first fills its run store and its output folder. Then each round times, for each binary, a
# cold run (`--no-store`: every run trained) and a warm one (every run read from its store), the two
# binaries alternating which goes first, so that a drift in the machine's speed falls on both alike.
# CPU time is user + system of the command (bash's `time`). The interval is the mean of the rounds'
# differences ± t(0.975, rounds − 1) · their standard deviation / √rounds. Wall time on a shared
# machine moves with the load, which the script prints (`uptime`) before and after.
set -euo pipefail

usage="usage: benchmarks/side_by_side.sh [--engine-only] OLD_BINARY NEW_BINARY [ROUNDS]"
engine_only=false
if [[ ${1:-} == --engine-only ]]; then engine_only=true; shift; fi
if [[ $# -lt 2 || $# -gt 3 ]]; then echo "$usage" >&2; exit 2; fi
old=$1 new=$2 rounds=${3:-10}
for binary in "$old" "$new"; do
    if [[ ! -f $binary || ! -x $binary ]]; then echo "side_by_side.sh: $binary: not an executable file" >&2; exit 2; fi
done
if [[ ! $rounds =~ ^[0-9]+$ ]] || (( 10#$rounds < 2 || 10#$rounds > 1000 )); then
    echo "side_by_side.sh: ROUNDS: give a whole number from 2 to 1000, not '$rounds'" >&2; exit 2
fi
rounds=$((10#$rounds))
old=$(cd "$(dirname "$old")" && pwd)/$(basename "$old")
new=$(cd "$(dirname "$new")" && pwd)/$(basename "$new")

scratch=$(mktemp -d "${TMPDIR:-/tmp}/side-by-side.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/old" "$scratch/new"

# run NAME BINARY MODE: one whole command of BINARY into NAME's scratch folder (MODE "cold" adds
# --no-store; with --engine-only, `run --shard 1/1` trains and writes the part file alone); appends
# "wall cpu" to $scratch/NAME.MODE, and stops the script if the command fails.
run() {
    local name=$1 binary=$2 mode=$3 command=() extra=() times
    [[ $mode == cold ]] && extra=(--no-store)
    $engine_only && command=(run --shard 1/1)
    local TIMEFORMAT='%3R %3U %3S'
    if ! times=$( { time "$binary" "${command[@]}" --output "$scratch/$name/output" --quiet "${extra[@]}" \
                    >"$scratch/$name/log" 2>&1; } 2>&1 ); then
        echo "side_by_side.sh: $binary failed ($mode run); its output:" >&2
        cat "$scratch/$name/log" >&2
        exit 1
    fi
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$times" >>"$scratch/$name.$mode"
}

echo "old: $old ($("$old" --version 2>/dev/null || echo "version unknown"))"
echo "new: $new ($("$new" --version 2>/dev/null || echo "version unknown"))"
echo "load before: $(uptime)"
run old "$old" warm-up
run new "$new" warm-up
modes=(cold warm)
$engine_only && modes=(cold)
for ((round = 1; round <= rounds; round++)); do
    if ((round % 2)); then order=(old new); else order=(new old); fi
    for name in "${order[@]}"; do
        binary=$old; [[ $name == new ]] && binary=$new
        for mode in "${modes[@]}"; do run "$name" "$binary" "$mode"; done
    done
    echo "round $round of $rounds done" >&2
done
echo "load after: $(uptime)"
echo

# One line per (mode, measure): each binary's mean, and the paired difference with its interval.
what="whole command"
$engine_only && what="training only (run --shard 1/1: no report, figures or results.json)"
echo "| Default study, $what | Old (s) | New (s) | New − old (s) | 95% CI of the difference (paired, $rounds rounds) |"
echo "|---|---:|---:|---:|---|"
for mode in "${modes[@]}"; do
    label="--no-store (every run trained)"
    [[ $mode == warm ]] && label="every run from the store"
    paste "$scratch/old.$mode" "$scratch/new.$mode" | awk -v label="$label" '
        # t(0.975, df): the table for df <= 30, beyond it the Cornish-Fisher expansion around z = 1.959964.
        function t975(df,    z) {
            split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 " \
                  "2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", table, " ")
            if (df <= 30) return table[df]
            z = 1.959964
            return z + (z^3 + z) / (4 * df) + (5 * z^5 + 16 * z^3 + 3 * z) / (96 * df^2)
        }
        { oldWall[NR] = $1; oldCPU[NR] = $2; newWall[NR] = $3; newCPU[NR] = $4 }
        function line(measure, a, b, n,    i, sumA, sumB, sumD, meanD, ss, half) {
            for (i = 1; i <= n; i++) { sumA += a[i]; sumB += b[i]; sumD += b[i] - a[i] }
            meanD = sumD / n
            for (i = 1; i <= n; i++) ss += (b[i] - a[i] - meanD)^2
            half = t975(n - 1) * sqrt(ss / (n - 1)) / sqrt(n)
            printf "| %s, %s | %.3f | %.3f | %+.3f | [%+.3f, %+.3f] |\n", label, measure, sumA / n, sumB / n, meanD, meanD - half, meanD + half
        }
        END { line("wall", oldWall, newWall, NR); line("CPU", oldCPU, newCPU, NR) }'
done
