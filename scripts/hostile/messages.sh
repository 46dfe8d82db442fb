# Issue 19 follow-ups: input hygiene and clear messages. Control characters refused where they are
# read, user text quoted short, lengths in characters, rounded published numbers accepted, and
# messages that say what happened.

# The few runs of a small study: one seed, one fraction, one epoch, a 4-unit MLP, no run store.
MESSAGES_STUDY=(--widths 4 --fractions 0 --seeds 1 --epochs 1 --threads 1 --no-store)

# A title with a bell (a YAML escape) or a right-to-left override was accepted, went raw into the
# reports, and the study.yaml written from it was refused on re-reading.
case_control_characters_in_a_study_file() {
  printf 'title: "bell\\a"\n' >bell.yaml
  printf 'title: "left\xe2\x80\xaeright"\n' >bidi.yaml
  printf 'claims:\n  source: a paper\n  thresholds: {"MLP\\x1b[31m 4": 0.4}\n' >label.yaml
  local before; before=$(snapshot .)
  mr run --study bell.yaml --output out "${MESSAGES_STUDY[@]}"
  refused "^make-report: error: bell\.yaml:1:1: title: holds U\+0007, a control character, at character 5; write it as plain text on one line$" || return 1
  mr run --study bidi.yaml --output out "${MESSAGES_STUDY[@]}"
  refused "^make-report: error: bidi\.yaml:1:1: title: holds U\+202E, a bidirectional-text control, at character 5" || return 1
  mr run --study label.yaml --output out "${MESSAGES_STUDY[@]}"
  refused "^make-report: error: label\.yaml:3:16: claims\.thresholds\.MLP.*: holds U\+001B, a control character, at character 4" || return 1
  ! grep -q $'\033' "$ERR" || { why "a terminal escape reached stderr"; return 1; }
  unchanged . "$before"
}
hostile_case control-characters-in-a-study-file case_control_characters_in_a_study_file

# The same on the command line: an attack's kind with an escape is refused by the option's own
# check, the escape written out, nothing created.
case_control_characters_in_an_option() {
  mr run --attacks $'random-label-flip\033[0m' --output out "${MESSAGES_STUDY[@]}"
  refused "^make-report: error: The value 'random-label-flip\\\\u\{1B\}\[0m' is invalid for '--attacks <attacks>'" || return 1
  ! grep -q $'\033' "$ERR" || { why "a terminal escape reached stderr"; return 1; }
  [ ! -e out ] || { why "'out' was created"; return 1; }
}
hostile_case control-characters-in-an-option case_control_characters_in_an_option

# CSV labels and column names with a control character or a bidi isolate: refused with the line.
case_control_characters_in_csv_labels_and_names() {
  printf 'data:\n  kind: csv\n  path: data.csv\n' >study.yaml
  local data pattern before
  for data in 'x,label\n1,a\n2,\x07bell\n3,b\n' 'x\xe2\x81\xa6,label\n1,a\n2,b\n' 'x,label\n1,a\n2,"tab\tbed"\n3,b\n'; do
    case $data in
      *bell*) pattern="data\.csv:3: label '.*bell' holds U\+0007, a control character, at character 1" ;;
      *tab*) pattern="data\.csv:3: label 'tab.*bed' holds U\+0009, a control character, at character 4" ;;
      *) pattern="data\.csv:1: the name of column 0 'x.*' holds U\+2066, a bidirectional-text control, at character 2" ;;
    esac
    printf "$data" >data.csv
    before=$(snapshot .)
    mr --study study.yaml "${MESSAGES_STUDY[@]}" --output out
    refused "^make-report: error: $pattern" && unchanged . "$before" || return 1
  done
}
hostile_case control-characters-in-csv-labels-and-names case_control_characters_in_csv_labels_and_names

# A 300-character unknown key was echoed whole, twice, and the reason was lost at the line's end.
case_long_key_keeps_the_reason_in_view() {
  printf '%s: 1\n' "$(head -c 300 /dev/zero | tr '\0' k)" >s.yaml
  mr run --study s.yaml --output out --no-store
  refused "^make-report: error: s\.yaml:1:1: unknown key 'k{40}…' \(known keys: title, .*claims\)$" || return 1
  printf 'data:\n  kind: csv\n  path: data.csv\n' >csv.yaml
  printf 'x,label\n1,%s\n2,%s\n' "$(head -c 5000 /dev/zero | tr '\0' y)" "$(head -c 5000 /dev/zero | tr '\0' y)" >data.csv
  mr run --study csv.yaml --output out "${MESSAGES_STUDY[@]}"
  refused "^make-report: error: data\.csv: has a single class \('y{40}…'\); a study needs at least two$"
}
hostile_case long-key-keeps-the-reason-in-view case_long_key_keeps_the_reason_in_view

# Lengths count characters: 200 decomposed é (400 Unicode scalars) are a title of 200 characters;
# 201 are refused as 201.
case_lengths_count_characters() {
  printf 'title: %s\n' "$(for i in $(seq 201); do printf 'e\xcc\x81'; done)" >t.yaml
  mr run --study t.yaml --output out --no-store
  refused "^make-report: error: t\.yaml:1:1: title: expected at most 200 characters, found 201$" || return 1
  printf 'title: %s\n' "$(for i in $(seq 200); do printf 'e\xcc\x81'; done)" >t.yaml
  mr run --study t.yaml --output out "${MESSAGES_STUDY[@]}" --quiet && succeeded || return 1
  [ "$(grep '^title: ' out/study.yaml)" = "$(cat t.yaml)" ] || { why "out/study.yaml holds another title"; return 1; }
}
hostile_case lengths-count-characters case_lengths_count_characters

# A published results file rounded to 4 decimals (pandas' round(4)) was refused: its gap was not
# train - test bit for bit. Rounded, it compares; a gap off by more than rounding explains is refused
# with the value expected.
case_published_file_rounded_to_four_decimals() {
  python3 - <<'EOF'
import json
runs = []
for fraction, train, test in [(0.0, 0.912345678, 0.823456789), (0.3, 0.612345678, 0.598765432)]:
    for seed in (1, 2):
        runs.append({"poison_fraction": fraction, "hidden_width": 16, "seed": seed, "train_accuracy": train,
                     "test_accuracy": test, "train_clean_accuracy": train, "generalization_gap": train - test, "final_loss": 0.1})
config = {"n_samples": 500, "n_classes": 5, "train_fraction": 0.7, "poison_fractions": [0.0, 0.3], "hidden_widths": [16], "seeds": [1, 2]}
full = {"config": config, "runs": runs}
rounded = {"config": config, "runs": [{k: round(v, 4) if isinstance(v, float) else v for k, v in run.items()} for run in runs]}
json.dump(full, open("full.json", "w"))
json.dump(rounded, open("rounded.json", "w"))
rounded["runs"][0]["generalization_gap"] = 0.0891
json.dump(rounded, open("off.json", "w"))
EOF
  grep -q '"generalization_gap": 0.0889' rounded.json || { why "rounded.json holds no rounded gap"; return 1; }
  mr compare full.json rounded.json && succeeded || return 1
  mr compare full.json off.json
  refused "off\.json.*runs\[0\] is impossible: its generalization_gap is 0\.0891, expected its train_accuracy 0\.9123 - test_accuracy 0\.8235 = 0\.088(8|79+) \(to within 0\.00015, the rounding its numbers show\)$"
}
hostile_case published-file-rounded-to-four-decimals case_published_file_rounded_to_four_decimals

# A CSV data file changed after the run: validate said its runs were impossible. validate never
# reads the data (issue 22): its verdict is the same whether the file changed or is gone.
case_csv_changed_since_the_run() {
  printf 'data:\n  kind: csv\n  path: data.csv\n' >study.yaml
  { echo "x,y,label"; for i in $(seq 0 29); do echo "$((i % 7)).$((i % 3)),$((i % 5)),$((i % 2))"; done; } >data.csv
  mr --study study.yaml "${MESSAGES_STUDY[@]}" --fractions 0,0.2 --output out --quiet && succeeded || return 1
  mr validate out
  local before_rc=$RC before; before=$(cat "$OUT" "$ERR")
  head -n 28 data.csv >shorter.csv && mv shorter.csv data.csv
  mr validate out
  [ "$RC" = "$before_rc" ] && [ "$(cat "$OUT" "$ERR")" = "$before" ] ||
    { why "validate read the changed data file: $(head -c 300 "$OUT" "$ERR")"; return 1; }
  rm data.csv
  mr validate out
  [ "$RC" = "$before_rc" ] && [ "$(cat "$OUT" "$ERR")" = "$before" ] ||
    { why "validate needed the data file: $(head -c 300 "$OUT" "$ERR")"; return 1; }
  ! grep -q "impossible" "$OUT" "$ERR" || { why "validate calls a run impossible"; return 1; }
}
hostile_case csv-changed-since-the-run case_csv_changed_since_the_run

# The digits with old Mac OS's CR line ends said "the file has a header but no rows": they give the
# results of the original.
case_csv_cr_line_ends_digits() {
  local folder
  for folder in lf cr; do mkdir "$folder" && printf 'data:\n  kind: csv\n  path: data.csv\n' >"$folder/study.yaml"; done
  cp "$REPO/examples/digits/digits.csv" lf/data.csv
  tr '\n' '\r' <lf/data.csv >cr/data.csv
  for folder in lf cr; do
    (cd "$folder" && mr --study study.yaml "${MESSAGES_STUDY[@]}" --output out && succeeded) || return 1
  done
  [ "$(sha256sum <cr/out/results.json)" = "$(sha256sum <lf/out/results.json)" ] ||
    { why "cr/out/results.json differs from that of the original file"; return 1; }
}
hostile_case csv-cr-line-ends-digits case_csv_cr_line_ends_digits

# One stray quote (a 5" monitor) read as "a quote opened on this line is never closed".
case_csv_stray_quote_named_with_its_column() {
  printf 'data:\n  kind: csv\n  path: data.csv\n' >study.yaml
  printf 'x,label\n1,a\n2,5" monitor\n3,b\n' >data.csv
  mr --study study.yaml "${MESSAGES_STUDY[@]}" --output out
  refused '^make-report: error: data\.csv:3: a quote inside an unquoted cell at line 3, column 4; quote a cell whole, a quote inside it doubled$'
}
hostile_case csv-stray-quote-named-with-its-column case_csv_stray_quote_named_with_its_column

# YAML tags were ignored: `!custom` is refused, `!!str` honoured.
case_yaml_tags() {
  printf 'title: !custom x\n' >custom.yaml
  mr run --study custom.yaml --output out --no-store
  refused "^make-report: error: custom\.yaml:1:8: title: the YAML tag '!custom' is not supported in study files; remove it$" || return 1
  printf 'training:\n  epochs: !!int two\n' >int.yaml
  mr run --study int.yaml --output out --no-store
  refused "^make-report: error: int\.yaml:2:11: training\.epochs: !!int does not fit 'two'; write the value without the tag$" || return 1
  printf 'title: !!str 5\n' >str.yaml
  mr run --study str.yaml --output out "${MESSAGES_STUDY[@]}" --quiet && succeeded || return 1
  grep -q '^title: "5"$' out/study.yaml || { why "the title !!str 5 is not the text 5: $(grep '^title' out/study.yaml)"; return 1; }
}
hostile_case yaml-tags case_yaml_tags

# Under a tiny address-space limit the memory left read "0 MiB".
case_memory_below_one_mebibyte_in_bytes() {
  (ulimit -v 190000; mr run --output out --no-store; exit "$RC")
  RC=$?
  refused "the 0 bytes that this process's address-space limit \(ulimit -v 190000\) leaves" || return 1
  ! grep -q " 0 MiB" "$ERR" || { why "'0 MiB' printed"; return 1; }
}
hostile_case memory-below-one-mebibyte-in-bytes case_memory_below_one_mebibyte_in_bytes

# Review r19: a U+202E in user text was refused, but the error line echoed it raw, so the terminal
# reversed the rest of the line. Every kind of quoted user text now shows it as \u{202E}: an
# option's value, a file name, a study file's key, a CSV cell, label and column name.
case_bidi_override_in_error_lines_is_escaped() {
  local rlo=$'\xe2\x80\xae'
  printf 'ke%sy: 1\n' "$rlo" >key.yaml
  printf 'data:\n  kind: csv\n  path: cell.csv\n' >cell.yaml && printf 'x,label\n1,a\n2%s3,b\n' "$rlo" >cell.csv
  printf 'data:\n  kind: csv\n  path: label.csv\n' >label.yaml && printf 'x,label\n1,a\n2,b%sc\n' "$rlo" >label.csv
  printf 'data:\n  kind: csv\n  path: name.csv\n' >name.yaml && printf 'x%s,label\n1,a\n2,b\n' "$rlo" >name.csv
  local arguments
  for arguments in "--attacks random-label-flip$rlo" "--study no${rlo}such.yaml" "--study key.yaml" "--study cell.yaml" \
                   "--study label.yaml" "--study name.yaml"; do
    # shellcheck disable=SC2086
    mr run --output out --no-store $arguments
    refused '\\u\{202E\}' || return 1
    ! grep -q "$rlo" "$ERR" || { why "a raw U+202E reached stderr for $arguments"; return 1; }
  done
}
hostile_case bidi-override-in-error-lines-is-escaped case_bidi_override_in_error_lines_is_escaped

# Review r19: `--shard 0/4` said only "is invalid".
case_shard_zero_says_why() {
  mr run --shard 0/4 --output parts "${MESSAGES_STUDY[@]}"
  refused "^make-report: error: The value '0/4' is invalid for '--shard <K/N>': shards count from 1, so K must be at least 1$" || return 1
  mr run --shard 5/4 --output parts "${MESSAGES_STUDY[@]}"
  refused "K must be at most N \(4\)$" || return 1
  [ ! -e parts ] || { why "'parts' was created"; return 1; }
}
hostile_case shard-zero-says-why case_shard_zero_says_why

# Review r19: a study nested too deep showed libyaml's own text ("Maximum nesting level reached, set
# with yaml_set_max_nest_level())"); a 1,030-character key showed "could not find expected ':'".
case_yaml_depth_and_key_length_in_words() {
  python3 -c "print('a: ' + '[' * 2000 + ']' * 2000)" >deep.yaml
  mr run --study deep.yaml --output out --no-store
  refused "^make-report: error: deep\.yaml:1:[0-9]+: lists and mappings are nested more than 32 levels deep$" || return 1
  python3 -c "print('title: t'); print('k' * 1030 + ': 1')" >key.yaml
  mr run --study key.yaml --output out --no-store
  refused "^make-report: error: key\.yaml:2:1: a key of 1030 characters; YAML's keys hold at most 1024$" || return 1
}
hostile_case yaml-depth-and-key-length-in-words case_yaml_depth_and_key_length_in_words

# Review r19: `seeds: [1, 0x2]` echoed "[1, 2.0]"; hexadecimal is not read as a number, and the
# value is echoed as written, quoted as the text it is read as.
case_hex_seed_echoed_as_written() {
  printf 'seeds: [1, 0x2]\n' >hex.yaml
  mr run --study hex.yaml --output out --no-store
  refused "^make-report: error: hex\.yaml:1:1: seeds: expected a list of integers, and entry 2 is a string: '0x2'$"
}
hostile_case hex-seed-echoed-as-written case_hex_seed_echoed_as_written

# Review r19b, finding 16: `seeds: [1.0]` was "expected a list of integers, not a list ([1.0])",
# and `data: {path: ""}` gave ": cannot read ''", with an empty file label.
case_list_entry_and_empty_data_path_in_words() {
  printf 'seeds: [1.0]\n' >float.yaml
  mr run --study float.yaml --output out --no-store
  refused "^make-report: error: float\.yaml:1:1: seeds: expected a list of integers, and entry 1 is a number: 1\.0$" || return 1
  printf 'data:\n  kind: csv\n  path: ""\n' >empty.yaml
  mr run --study empty.yaml --output out --no-store
  refused "^make-report: error: empty\.yaml:3:[0-9]+: data\.path: is empty; give the CSV file's path$" && [ ! -e out ]
}
hostile_case list-entry-and-empty-data-path-in-words case_list_entry_and_empty_data_path_in_words

# Issue 19, part A: the number options went through Swift's Double(), so `--fractions 0x1p-1`,
# `--lr inf` and `--dpi nan` were accepted. Only decimal notation is (digits, one point, an exponent),
# as in a study file; anything else is refused in one line naming the option and the value.
case_numbers_must_be_decimal() {
  local before option; before=$(snapshot .)
  for option in "--fractions 0,0x1p-1" "--lr inf" "--lr 1e999" "--dpi nan" "--center-scale 1e" "--confidence infinity"; do
    # shellcheck disable=SC2086
    mr "${MESSAGES_STUDY[@]}" $option --output out &&
      refused "'[^']*${option##*[ ,]}' is invalid for '${option%% *} .*decimal notation" && unchanged . "$before" || return 1
  done
  for option in "--confidence nan" "--margin 0x1p-6"; do
    # shellcheck disable=SC2086
    mr compare a.json b.json $option && refused "'${option#* }' is invalid for '${option%% *} " && unchanged . "$before" || return 1
  done
  mr "${MESSAGES_STUDY[@]}" --fractions .5,1e-1 --lr 1E-1 --output out --quiet && succeeded
}
hostile_case numbers-must-be-decimal case_numbers_must_be_decimal

# A study file with no data block and a data option (--samples, --classes) was refused with
# "data: missing required key 'kind'": the option changes the default gaussian-clusters data.
case_a_data_option_without_a_data_block() {
  printf 'title: no data block\n' >n.yaml
  mr run --study n.yaml --samples 300 --classes 3 --output out "${MESSAGES_STUDY[@]}"
  succeeded || return 1
  grep -q '^  samples: 300$' out/study.yaml || { why "out/study.yaml does not hold samples: 300"; return 1; }
}
hostile_case a-data-option-without-a-data-block case_a_data_option_without_a_data_block

# Whole numbers on the command line: `--seeds -1`, `--seeds 1,,2`, `--data-seed -1` gave a bare
# "The value '-1' is invalid"; `--seeds ' 1'` and `--shard 1/+3` were accepted. One rule (decimal
# digits, no sign, no blanks) with the reason in each refusal; nothing created. (Review r19e,
# finding 7: `--shard -1/2` said "Missing value for '--shard <K/N>'".)
case_whole_numbers_on_the_command_line() {
  local arguments
  for arguments in '--seeds -1' '--seeds 1,,2' '--data-seed -1' '--seeds  1' '--shard  1/3' '--shard 1/+3' '--shard -1/2' '--epochs +2' '--widths 4,x'; do
    local option=${arguments%% *} value=${arguments#* }
    mr run --output out --widths 4 --fractions 0 --epochs 1 --no-store "$option" "$value"
    refused "^make-report: error: The value '.*' is invalid for '$option <[A-Za-z/-]+>': (an empty item in '1,,2'; give numbers separated by single commas|'.*' is not a whole number in decimal digits \(0-9 only: no sign, no blanks, no point\))$" \
      || { why "$arguments: $(cat "$WHY")"; return 1; }
    [ ! -e out ] || { why "$arguments: 'out' was created"; return 1; }
  done
}
hostile_case whole-numbers-on-the-command-line case_whole_numbers_on_the_command_line

# Review r19e, finding 7: `store info --store ''` said "no run store at '.'": the path is empty, as
# `run --store ''` says; and so for an empty --output naming the store's folder.
case_store_with_an_empty_path() {
  local command
  for command in info verify prune; do
    mr store "$command" --store ''
    refused "^make-report: error: --store: the path is empty; give a file name$" || { why "store $command: $(cat "$WHY")"; return 1; }
    mr store "$command" --output ''
    refused "^make-report: error: --output: the path is empty; give the output folder whose store to use$" \
      || { why "store $command --output '': $(cat "$WHY")"; return 1; }
  done
}
hostile_case store-with-an-empty-path case_store_with_an_empty_path

# `validate $'a\nb'` printed the folder's name raw across two lines: it is quoted, the line feed
# written out, as every other message quotes a name.
case_validate_quotes_the_folder_name() {
  mr validate $'a\nb'
  refused "^make-report: error: validate: cannot read 'a\\\\u\{A\}b': " || return 1
  mr run --output $'c\nd' "${MESSAGES_STUDY[@]}"
  succeeded || return 1
  # One fraction and one epoch fail the scientific checks (exit 1): the first line names the folder.
  mr validate $'c\nd'
  [ "$RC" = 1 ] && [ "$(head -n 1 "$ERR")" = "'c\\u{A}d': 3 checks failed:" ] || { why "exit $RC, stderr: $(head -c 300 "$ERR")"; return 1; }
}
hostile_case validate-quotes-the-folder-name case_validate_quotes_the_folder_name

# Review r19b, finding 10: a failed write to standard output was not reported: `make-report study
# > study.yaml` on a full disk exited 0 with an empty file. Each command's output to a full device
# now ends in exit 1 and one line.
case_failed_writes_to_standard_output() {
  mr run "${MESSAGES_STUDY[@]}" --output out --quiet && succeeded || return 1
  mr run "${MESSAGES_STUDY[@]/--no-store/--store=runs.sqlite}" --output out2 --quiet && succeeded || return 1
  local command
  for command in "study" "template --print md" "compare out/results.json out2/results.json" "store info --store runs.sqlite" \
    "run ${MESSAGES_STUDY[*]} --output out3 --dry-run"; do
    # shellcheck disable=SC2086
    timeout -k 5 120 "$MR" $command </dev/null >/dev/full 2>"$ERR"; RC=$?
    [ "$RC" = 1 ] || { why "$command >/dev/full: exit $RC, expected 1; stderr: $(head -c 200 "$ERR")"; return 1; }
    [ "$(wc -l <"$ERR")" = 1 ] && grep -q "^make-report: error: cannot write to standard output: " "$ERR" ||
      { why "$command >/dev/full: $(head -c 200 "$ERR")"; return 1; }
  done
}
hostile_case failed-writes-to-standard-output case_failed_writes_to_standard_output

# Review r19c, wording: a .make-report that is a symbolic link to a folder was "not a folder"; a
# seed of 2^64 - 1 was "a number: 1.8e+19", not out of range; an address-space limit's reserve
# counted threads the runs do not use (finding 10); `bench --results` whose folder is a file
# measured everything and failed at the final write (finding 13).
case_r19c_wording() {
  mkdir elsewhere && ln -s elsewhere .make-report
  mr "${MESSAGES_STUDY[@]}" --output out
  refused "^make-report: error: --output: .*\.make-report' is a symbolic link, not a folder; make-report keeps the output folder's lock and staging folder there$" || return 1
  rm .make-report
  printf 'seeds: [18446744073709551615]\n' >big.yaml
  mr run --study big.yaml --dry-run --no-store
  refused "^make-report: error: big\.yaml:1:1: seeds: each value must lie in \[0, 9223372036854775807\]; entry 1, 1\.8446744073709552e\+19, is out of range$" || return 1
  # Finding 10: --threads 60 on 15 runs under `ulimit -v 4000000` was refused ("more than the 0
  # bytes that ... leaves"): the limit's reserve counted 60 threads, the estimate the 15 used.
  printf 'data: {kind: gaussian-clusters, samples: 2000, features: 10, classes: 4}\nmodels: [{kind: mlp, hidden: [32]}]\nfractions: [0, 0.1, 0.2, 0.3, 0.4]\nseeds: [1, 2, 3]\n' >t15.yaml
  (ulimit -v 4000000; mr run --study t15.yaml --threads 60 --no-store --dry-run; exit "$RC")
  RC=$?
  succeeded || return 1
  local before; before=$(snapshot .)
  mr_timed bench --results big.yaml/x.md
  refused "^make-report: error: --results: 'big\.yaml/x\.md' cannot be written: '.*/big\.yaml' is a file, not a folder$" && within 2 && unchanged . "$before"
}
hostile_case r19c-wording case_r19c_wording
