# Section 4 of issue 19: studies too large for the memory the process may use.

# padded_results SOURCE TARGET: SOURCE's JSON object with one more member, "padding", an array of 50
# million zeros (100 MB), written as text: json.dump of the array took a minute of processor time.
padded_results() {
  python3 - "$1" "$2" <<'PY'
import json, sys
text = json.dumps(json.load(open(sys.argv[1])), separators=(",", ":"))
with open(sys.argv[2], "w") as target:
    target.write(text[:-1] + ',"padding":[' + "0," * 49_999_999 + "0]}")
PY
}

# 10000 classes x 100000 features: the cluster centers alone are 8 GB of Doubles. Under a 6 GB
# address-space limit the command used to abort in the allocator ("failed to allocate 8000000032
# bytes") while drawing them; it must refuse before drawing anything, at once, and create nothing.
case_data_larger_than_the_address_space() {
  local before; before=$(snapshot .)
  (ulimit -v 6000000; MR_TIMEOUT=20 mr --classes 10000 --features 100000 --samples 1000 --seeds 1 --fractions 0 --widths 8 --epochs 1
   exit "$RC")
  RC=$?
  refused "making the data set \(Gaussian clusters\) needs about [0-9.]+ GiB, more than .*(address-space limit|memory)" &&
    unchanged . "$before"
}
hostile_case data-larger-than-the-address-space case_data_larger_than_the_address_space

# Issue 19 follow-up: a part or results.json whose study names data of 8 GB (10000 classes x 100000
# features) aborted merge, compare and validate in the allocator under `ulimit -v 6000000`, and a
# results.json padded with 50 million values aborted compare under `ulimit -v 3000000` ("failed to
# allocate"). merge, which makes the data, and compare of the padded file are refused before work;
# compare and validate never make a study's data (issue 22), and find at once that the enlarged
# configuration is not that of the results' data summary.
case_merge_compare_validate_within_the_address_space() {
  mr --shard 1/1 --output parts --widths 8 --fractions 0,0.5 --seeds 1 --epochs 2 --no-store --quiet && succeeded || return 1
  mr --output out --widths 8 --fractions 0,0.5 --seeds 1 --epochs 2 --no-store --quiet && succeeded || return 1
  python3 - <<'PY'
import json
for source, target in [("parts/results.part-1-of-1.json", "huge-part.json"), ("out/results.json", "huge.json")]:
    document = json.load(open(source))
    document["config"]["data"].update(classes=10000, features=100000, samples=1000)
    document.pop("dataSizes", None)   # a part written before parts recorded their split's sizes: merge makes its data
    json.dump(document, open(target, "w"))
PY
  padded_results out/results.json padded.json
  mkdir folder && cp -r out/. folder/ && cp huge.json folder/results.json
  local before limited; before=$(snapshot .)
  for limited in "6000000 merge huge-part.json --output merged" "3000000 compare padded.json out/results.json"; do
    # shellcheck disable=SC2086
    (ulimit -v ${limited%% *}; MR_TIMEOUT=60 mr ${limited#* }; exit "$RC")
    RC=$?
    refused "(making its study's data set \(Gaussian clusters\)|reading 'padded.json') needs about [0-9.]+ GiB.*, more than .*(address-space limit|memory)" &&
      unchanged . "$before" || return 1
  done
  (ulimit -v 6000000; MR_TIMEOUT=60 mr compare huge.json out/results.json; exit "$RC")
  RC=$?
  refused "^make-report: error: compare: 'huge.json' is a make-report results.json that cannot be used: its data summary \(350 training rows, 150 test rows, 10 features, 5 classes\) is not that of its configuration's data" &&
    unchanged . "$before" || return 1
  (ulimit -v 6000000; MR_TIMEOUT=60 mr validate folder; exit "$RC")
  RC=$?
  [ "$RC" = 1 ] && grep -q "results.json its data summary" "$ERR" || { why "validate: exit $RC; stderr: $(head -c 300 "$ERR")"; return 1; }
  unchanged . "$before"
}
hostile_case merge-compare-validate-within-the-address-space case_merge_compare_validate_within_the_address_space

# Issue 19 follow-up: the memory checks read only the address-space limit, so under a data-segment
# limit (`ulimit -d`) `run` aborted in the allocator while making 1000000 x 100 rows, leaving its
# staging folder, and `compare` while decoding a results.json padded with 50 million values. Each is
# refused before work in one line naming the limit, nothing created; a study that fits still runs.
case_run_and_compare_within_the_data_segment() {
  mr --output out --widths 8 --fractions 0,0.5 --seeds 1 --epochs 2 --no-store --quiet && succeeded || return 1
  padded_results out/results.json padded.json
  local before limited; before=$(snapshot .)
  for limited in "524288 --samples 1000000 --features 100 --seeds 1 --fractions 0 --epochs 1 --widths 8 --no-store --output big" \
                 "3000000 compare padded.json out/results.json"; do
    # shellcheck disable=SC2086
    (ulimit -d ${limited%% *}; MR_TIMEOUT=60 mr ${limited#* }; exit "$RC")
    RC=$?
    refused "(making the data set \(Gaussian clusters\)|reading 'padded.json') needs about [0-9.]+ [MG]iB.*, more than the [0-9.]+ [MG]iB that this process's data-segment limit \(ulimit -d ${limited%% *}\) leaves" &&
      unchanged . "$before" || return 1
  done
  (ulimit -d 300000; mr --output out --widths 8 --fractions 0,0.5 --seeds 1 --epochs 2 --no-store --quiet; exit "$RC")
  RC=$?
  succeeded
}
hostile_case run-and-compare-within-the-data-segment case_run_and_compare_within_the_data_segment

# Issue 19, r19: a 900 MB results file under `ulimit -v 600000` killed compare with SIGILL (its
# bytes were allocated before the memory check); merge did the same. Both refuse it in one line
# before holding it. A sparse file: nothing is written to the disk.
case_huge_input_file_within_the_address_space() {
  truncate -s 900000000 big.json && echo '{}' >pub.json
  local before command; before=$(snapshot .)
  for command in "compare big.json pub.json" "merge big.json --output merged"; do
    # shellcheck disable=SC2086
    (ulimit -v 600000; MR_TIMEOUT=60 mr $command; exit "$RC")
    RC=$?
    refused "^make-report: error: ${command%% *}: reading 'big.json' \(900000000 bytes\) needs about 906 MiB, more than the 394 MiB that this process's address-space limit \(ulimit -v 600000\) leaves" &&
      unchanged . "$before" || return 1
  done
}
hostile_case huge-input-file-within-the-address-space case_huge_input_file_within_the_address_space

# Issue 19, part A: `check` under `ulimit -v` with a 300 MB committed results.json ran the whole
# sweep, then said the file was "missing" (it could not be read). The committed files are checked
# against the memory budget before the sweep: one line naming the file, exit 2.
case_check_of_a_huge_committed_file_within_the_address_space() {
  mr --output out --widths 8 --fractions 0,0.5 --seeds 1 --epochs 2 --no-store --quiet && succeeded || return 1
  python3 - <<'PY'
import json
document = json.load(open("out/results.json"))
document["padding"] = "x" * 300_000_000
json.dump(document, open("out/results.json", "w"))
PY
  local before; before=$(snapshot .)
  (ulimit -v 600000; MR_TIMEOUT=60 mr check --output out --widths 8 --fractions 0,0.5 --seeds 1 --epochs 2; exit "$RC")
  RC=$?
  refused "--output: comparing '.*out/results.json' \(3[0-9]{8} bytes\) with its regenerated copy needs about [0-9.]+ GiB, more than .*address-space limit" &&
    unchanged . "$before"
}
hostile_case check-of-a-huge-committed-file-within-the-address-space case_check_of_a_huge_committed_file_within_the_address_space

# Review r19b, finding 1: a results.json holding one 300 MB string aborted `validate` under
# `ulimit -v 800000` ("failed to allocate 300000048 bytes"): its timing check parsed the whole
# document with JSONSerialization (the bytes copied, then the string made), and the memory estimate
# counted the document once. validate refuses it in one line before reading it, creating nothing.
case_validate_long_string_within_the_address_space() {
  mkdir c
  { printf '{"schemaVersion":"5","x":"'; head -c 300000000 /dev/zero | tr '\0' a; printf '"}'; } >c/results.json
  local before; before=$(snapshot .)
  (ulimit -v 800000; MR_TIMEOUT=60 mr validate c; exit "$RC")
  RC=$?
  refused "validate: reading 'c/results.json' needs about [0-9]+ MiB, more than .*address-space limit \(ulimit -v 800000\)" &&
    unchanged . "$before"
}
hostile_case validate-long-string-within-the-address-space case_validate_long_string_within_the_address_space

# Review r19d, finding 2: under an address-space limit that leaves room to load make-report but not
# to start its threads (ulimit -v about 95,000 to 109,000 KiB for the release build of 0.3.0), every
# command, --version and --help included, hung: Dispatch, when it cannot start a thread, waits and
# tries again without end. Across that band and well beyond it, --version and --help answer (exit
# 0), and a run ends within seconds: done (exit 0), one line saying it cannot start its threads
# (exit 1), or, above the band, one line saying its data would not fit (exit 2); below the band the
# dynamic loader refuses in one line (exit 127) before make-report's code runs.
case_commands_under_a_small_address_space() {
  local limit command
  for limit in $(seq 80000 5000 160000); do
    for command in "--version" "--help" "run --widths 4 --fractions 0 --seeds 1 --epochs 1 --no-store --quiet --format md --output o"; do
      # shellcheck disable=SC2086 # the command's words
      (ulimit -v "$limit"; MR_TIMEOUT=20 mr $command; exit "$RC")
      RC=$?
      case $RC in
        0) ;;
        127) grep -q "error while loading shared libraries" "$ERR" || { why "ulimit -v $limit, $command: exit 127: $(head -c 200 "$ERR")"; return 1; } ;;
        1) [[ $command == run* ]] && [ "$(wc -l <"$ERR")" = 1 ] &&
             grep -Eq "^make-report: error: this process cannot start the [0-9]+ threads make-report needs \(it started [0-9]+: .*\); its limits ulimit -v $limit(, ulimit -u [0-9]+)? may be too low: raise them$" "$ERR" ||
             { why "ulimit -v $limit, $command: exit 1: $(head -c 300 "$ERR")"; return 1; } ;;
        # Above the band, a run too large for what the limit leaves is refused before work.
        2) [[ $command == run* ]] && refused "address-space limit \(ulimit -v $limit\) leaves" || return 1 ;;
        *) why "ulimit -v $limit, $command: exit $RC: $(head -c 200 "$ERR")"; return 1 ;;
      esac
      rm -rf o .make-report
    done
  done
}
hostile_case commands-under-a-small-address-space case_commands_under_a_small_address_space
