#!/usr/bin/env bash
# Fuzzes every parser of user files with libFuzzer for FUZZ_SECONDS seconds each (default 30),
# starting from the committed corpus in fuzz/corpus/TARGET (new inputs go to a scratch folder, not
# into the repository), with libFuzzer's random seed FUZZ_SEED (default 1, so that a run explores
# the same inputs in the same order each time; set another to explore further). Fails, naming the
# input file, on the first crash, hang (10 s) or memory blow-up (4 GiB).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
seed=${FUZZ_SEED:-1}
swift build --product make-report-fuzz --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -DFUZZING 2>&1 | tail -n 1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# fuzz_target TARGET: fuzzes one target; its report line goes to $scratch/TARGET.result, and a crash's
# input to $scratch/crashes/TARGET/.
fuzz_target() {
  local target=$1 log="$scratch/$1.log"
  mkdir -p "$scratch/$target" "$scratch/crashes/$target"
  # Swift's own backtracer would catch a trap before libFuzzer could write the input that caused it.
  if SWIFT_BACKTRACE=enable=no FUZZ_TARGET=$target .build-fuzz/debug/make-report-fuzz -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=4096 \
       -print_final_stats=1 -artifact_prefix="$scratch/crashes/$target/" "$scratch/$target" "fuzz/corpus/$target" >"$log" 2>&1; then
    runs=$(grep -E "^stat::number_of_executed_units" "$log" | awk '{print $2}')
    echo "fuzz $target: ${seconds} s, ${runs:-?} inputs, no crash" > "$scratch/$target.result"
  else
    echo "fuzz $target: FAILED" > "$scratch/$target.result"
  fi
}

# Two targets at a time (libFuzzer runs one process per target; the machine has 2 cores), each for
# the same FUZZ_SECONDS as alone; reported in a fixed order once all have ended.
targets=(study-file csv csv-labels results-json part-json template stored-run)
running=0
for target in "${targets[@]}"; do
  if (( running == 2 )); then wait -n; running=$((running - 1)); fi
  fuzz_target "$target" &
  running=$((running + 1))
done
wait
failed=0
for target in "${targets[@]}"; do
  cat "$scratch/$target.result"
  if grep -q FAILED "$scratch/$target.result"; then
    failed=1
    grep -E "ERROR|SUMMARY|Test unit written|Fatal error|panic" "$scratch/$target.log" | head -n 20
    for file in "$scratch"/crashes/"$target"/*; do
      [ -e "$file" ] || continue
      mkdir -p fuzz/crashes
      cp "$file" "fuzz/crashes/$target-$(basename "$file")"
      echo "  reproduce: swift run make-report-fuzz $target fuzz/crashes/$target-$(basename "$file")"
    done
  fi
done
exit "$failed"
