# Section 3 of issue 19: same input, same output, for CSV data.

# csv_study FOLDER: FOLDER/study.yaml, a study of FOLDER/data.csv (its label in the last column).
csv_study() {
  mkdir -p "$1" && printf 'data:\n  kind: csv\n  path: data.csv\n' >"$1/study.yaml"
}

# The few runs of a small study: one seed, one fraction, one epoch, a 4-unit MLP, no run store.
CSV_STUDY=(--widths 4 --fractions 0 --seeds 1 --epochs 1 --threads 1 --no-store)

# `1` and `1.0` are one number written two ways: which class is it?
case_csv_one_and_one_point_zero() {
  csv_study . && printf 'x,label\n1,1\n2,2\n3,2\n4,1.0\n' >data.csv
  local before; before=$(snapshot .)
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:5: label '1\.0' is the number of label '1' \(line 2\); write each class one way$" &&
    unchanged . "$before"
}
hostile_case csv-one-and-one-point-zero case_csv_one_and_one_point_zero

# `0` and `-0` likewise.
case_csv_zero_and_minus_zero() {
  csv_study . && printf 'x,label\n1,-0\n2,1\n3,0\n' >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:4: label '0' is the number of label '-0' \(line 2\)"
}
hostile_case csv-zero-and-minus-zero case_csv_zero_and_minus_zero

# A NaN label (any case) is no class.
case_csv_nan_label() {
  csv_study . && printf 'x,label\n1,1\n2,2\n3,NaN\n' >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:4: label 'NaN' marks a missing value \(pandas reads it as NaN\); give every row its class$"
}
hostile_case csv-nan-label case_csv_nan_label

# Review r19: 0x10, 16 and 0x1p4 were one class (Swift's Double reads all three as 16); pandas reads
# them as three strings, and so does make-report now.
case_csv_hex_labels_are_text() {
  csv_study . && { echo "x,label"; for i in $(seq 0 29); do l=(0x10 16 0x1p4); echo "$i,${l[i % 3]}"; done; } >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out --quiet && succeeded || return 1
  grep -q '"classCount" *: *3' out/results.json || { why "results.json does not hold 3 classes"; return 1; }
}
hostile_case csv-hex-labels-are-text case_csv_hex_labels_are_text

# Review r19: é as U+00E9 and as e + U+0301 were merged silently; refused, naming both spellings.
case_csv_nfc_and_nfd_labels() {
  csv_study . && printf 'x,label\n1,\xc3\xa9\n2,x\n3,e\xcc\x81\n' >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:4: label '.*' \(U\+0065 U\+0301\) is label '.*' \(U\+00E9\) of line 2 in other Unicode scalars"
}
hostile_case csv-nfc-and-nfd-labels case_csv_nfc_and_nfd_labels

# Review r19: 60 labels for 60 rows said only "the split leaves no training or no test rows".
case_csv_one_row_per_class() {
  csv_study . && { echo "x,label"; for i in $(seq 0 59); do echo "$i,c$i"; done; } >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv: each of its 60 classes has only one row, so the stratified split leaves no test rows; a class needs at least two rows$"
}
hostile_case csv-one-row-per-class case_csv_one_row_per_class

# A blank label is no class.
case_csv_empty_label() {
  csv_study . && printf 'x,label\n1,a\n2,  \n3,b\n' >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:3: the label is empty$"
}
hostile_case csv-empty-label case_csv_empty_label

# 20 processes at once (issue 19's count) on labels that are partly numbers (2, 10, 1a): one results.json.
case_csv_twenty_processes_one_result() {
  local i pids=() labels=(2 10 1a)
  csv_study . && { echo "x,y,label"; for i in $(seq 0 35); do echo "$((i % 3)).$((i % 5)),$((i * 7 % 4)),${labels[i % 3]}"; done; } >data.csv
  for i in $(seq 1 20); do
    timeout -k 5 120 "$MR" --study study.yaml "${CSV_STUDY[@]}" --output "out$i" </dev/null >/dev/null 2>"err$i" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { why "process $((i + 1)) exited $?: $(head -c 200 "err$((i + 1))")"; return 1; }
  done
  local hashes; hashes=$(sha256sum out*/results.json | cut -d' ' -f1 | sort -u | wc -l)
  [ "$hashes" = 1 ] || { why "$hashes different results.json in 20 processes"; return 1; }
}
hostile_case csv-twenty-processes-one-result case_csv_twenty_processes_one_result

# The digits with CRLF line ends, and with a byte-order mark too: the results of the original.
case_csv_crlf_and_bom_digits() {
  local folder
  csv_study lf && cp "$REPO/examples/digits/digits.csv" lf/data.csv
  csv_study crlf && sed 's/$/\r/' lf/data.csv >crlf/data.csv
  csv_study bom && { printf '\xef\xbb\xbf'; cat crlf/data.csv; } >bom/data.csv
  for folder in lf crlf bom; do
    (cd "$folder" && mr --study study.yaml "${CSV_STUDY[@]}" --output out && succeeded) || return 1
  done
  for folder in crlf bom; do
    [ "$(sha256sum <"$folder/out/results.json")" = "$(sha256sum <lf/out/results.json)" ] ||
      { why "$folder/out/results.json differs from that of the original file"; return 1; }
  done
}
hostile_case csv-crlf-and-bom-digits case_csv_crlf_and_bom_digits

# A CSV whose one line holds ten million cells (an estimate that once left the cells out let it
# abort with "failed to allocate" under a limit on the address space): refused at once.
case_csv_one_wide_line_within_memory_limit() {
  python3 -c "import sys; sys.stdout.write('a,' * 10_000_000 + 'y\n')" >wide.csv
  printf 'data:\n  kind: csv\n  path: wide.csv\n  label-column: y\n' >wide.yaml
  local before; before=$(snapshot .)
  (ulimit -v 1000000; mr --study wide.yaml --no-store --output out; exit "$RC")
  RC=$?
  refused "needs about" && unchanged . "$before"
}
hostile_case csv-one-wide-line-within-memory-limit case_csv_one_wide_line_within_memory_limit

# Error lines quote at most 100 characters of a value, and no control character.
case_error_lines_stay_short_and_printable() {
  mr --shard "1/$(printf '9%.0s' {1..5000})" --output out && refused "shard" || return 1
  printf 'a,b,label\n1,2,x\n3,\033[31mRED,y\n' >esc.csv
  printf 'data:\n  kind: csv\n  path: esc.csv\n' >esc.yaml
  mr --study esc.yaml --no-store --output out && refused "not a number" || return 1
  ! grep -q $'\033' "$ERR" || { why "a terminal escape reached stderr"; return 1; }
}
hostile_case error-lines-stay-short-and-printable case_error_lines_stay_short_and_printable

# Issue 19 follow-up: `"1.0","2.0",x` was refused ("column a is not a number: '"1.0"'"). The digits
# with every cell quoted (Python's csv.QUOTE_ALL) give the results of the original file.
case_csv_quoted_digits() {
  csv_study plain && cp "$REPO/examples/digits/digits.csv" plain/data.csv
  csv_study quoted && sed 's/[^,]*/"&"/g' plain/data.csv >quoted/data.csv
  grep -q '^"0","0","5","13"' quoted/data.csv || { why "the quoted copy is not quoted: $(sed -n 2p quoted/data.csv | head -c 80)"; return 1; }
  local folder
  for folder in plain quoted; do
    (cd "$folder" && mr --study study.yaml "${CSV_STUDY[@]}" --output out && succeeded) || return 1
  done
  [ "$(sha256sum <quoted/out/results.json)" = "$(sha256sum <plain/out/results.json)" ] ||
    { why "quoted/out/results.json differs from that of the original file"; return 1; }
}
hostile_case csv-quoted-digits case_csv_quoted_digits

# Malformed quoting: refused in one line naming its line, nothing created.
case_csv_malformed_quoting() {
  csv_study .
  local before
  printf 'x,label\n1,a\n2,"b\n3,c\n' >data.csv
  before=$(snapshot .)
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:3: a quote opened on this line is never closed$" && unchanged . "$before" || return 1
  printf 'x,label\n1,a\n2,"b\nb" c\n' >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:4: has text after the closing quote of a cell" || return 1
  printf 'x,label\n1,a\n2,b"c"\n' >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:3: a quote inside an unquoted cell at line 3, column 4;"
}
hostile_case csv-malformed-quoting case_csv_malformed_quoting

# Review r19b: labels that differ only by the blanks around them were merged (make-report trimmed
# them; pandas reads two classes): refused. `nan ` is a class to pandas, not a missing value, and
# integers beyond 2^53 are told apart as pandas' int64 tells them.
case_csv_labels_with_blanks_and_large_integers() {
  csv_study . && printf 'x,label\n1,a\n2, a\n3,b\n' >data.csv
  local before; before=$(snapshot .)
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:3: label ' a' is label 'a' \(line 2\) but for the blanks around it, which pandas keeps, reading two classes; write each class one way$" &&
    unchanged . "$before" || return 1
  { echo "x,label"; for i in $(seq 0 29); do l=("nan " 1 2); echo "$i,${l[i % 3]}"; done; } >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out --quiet && succeeded || return 1
  grep -q '"classCount" *: *3' out/results.json || { why "'nan ' is not one of 3 classes"; return 1; }
  { echo "x,label"; for i in $(seq 0 29); do l=(9007199254740993 9007199254740992); echo "$i,${l[i % 2]}"; done; } >data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out2 --quiet && succeeded || return 1
  grep -q '"classCount" *: *2' out2/results.json || { why "the integers around 2^53 are not two classes"; return 1; }
  echo "30,1.5" >>data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out3
  refused "^make-report: error: data\.csv:3: label '9007199254740992' \(line 3\) and label '9007199254740993' \(line 2\) are one number once pandas reads the column as floating-point numbers"
}
hostile_case csv-labels-with-blanks-and-large-integers case_csv_labels_with_blanks_and_large_integers

# Review r19b: `label-column: 2` where a column is named 2 could mean either column: refused, saying
# how to quote the name; the quoted name and the index of a file without that name run.
case_csv_label_column_index_or_name() {
  mkdir -p s && { echo "2,a,label"; for i in $(seq 0 29); do echo "$((i % 2)),$i,$((i % 3))"; done; } >s/data.csv
  printf 'data:\n  kind: csv\n  path: data.csv\n  label-column: 2\n' >s/index.yaml
  printf 'data:\n  kind: csv\n  path: data.csv\n  label-column: "2"\n' >s/name.yaml
  local before; before=$(snapshot .)
  mr --study s/index.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:1: label-column: 2 is ambiguous: it is the index of column 'label' and the name of column 0; write label-column: \"2\" \(quoted\) for the name, or rename column 0$" &&
    unchanged . "$before" || return 1
  mr --study s/name.yaml "${CSV_STUDY[@]}" --output out --quiet && succeeded || return 1
  grep -q '"classCount" *: *2' out/results.json && grep -q '"label-column" *: *"2"' out/results.json ||
    { why "the quoted name did not pick column 0, or was not kept as a name"; return 1; }
}
hostile_case csv-label-column-index-or-name case_csv_label_column_index_or_name

# Issue 19 (left list): a class the split leaves without test rows (one row of it, train-fraction
# 0.7) or without training rows (the split column marks all of it test) is refused before any work.
case_csv_class_without_test_rows() {
  csv_study . && { echo "x,label"; for i in $(seq 0 19); do echo "$i,$((i % 2))"; done; echo "20,c"; } >data.csv
  local before; before=$(snapshot .)
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv: class 'c' has no test rows \(the stratified split of its 1 row leaves none\); every class needs both training and test rows$" &&
    unchanged . "$before" || return 1
  printf 'data:\n  kind: csv\n  path: data.csv\n  label-column: label\n  split-column: split\n' >split.yaml
  { echo "x,label,split"; for i in $(seq 0 19); do echo "$i,$((i % 2)),$([ $((i % 3)) = 0 ] && echo test || echo train)"; done
    echo "20,c,test"; echo "21,c,test"; } >data.csv
  before=$(snapshot .)
  mr --study split.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv: class 'c' has no training rows \(the split column marks all of its 2 rows test\); every class needs both training and test rows$" &&
    unchanged . "$before"
}
hostile_case csv-class-without-test-rows case_csv_class_without_test_rows

# Issue 19 (left list): a delimiter that is a quote or a digit would split the rows where the author
# did not mean it: refused with the reason, nothing created.
case_csv_bad_delimiter() {
  csv_study . && printf 'x,label\n1,a\n2,b\n' >data.csv
  printf 'data:\n  kind: csv\n  path: data.csv\n  delimiter: "\\""\n' >quote.yaml
  printf 'data:\n  kind: csv\n  path: data.csv\n  delimiter: "1"\n' >digit.yaml
  local before; before=$(snapshot .)
  mr --study quote.yaml "${CSV_STUDY[@]}" --output out
  refused "data\.delimiter: cannot be '\"', the quote that encloses a cell$" && unchanged . "$before" || return 1
  mr --study digit.yaml "${CSV_STUDY[@]}" --output out
  refused "data\.delimiter: cannot be '1', which a number in a cell is written with$" && unchanged . "$before"
}
hostile_case csv-bad-delimiter case_csv_bad_delimiter

# Issue 19 (left list): a FIFO as the CSV file would block the read forever: refused at once, no
# writer needed, nothing created.
case_csv_fifo_data() {
  csv_study . && mkfifo data.csv
  local before; before=$(snapshot .)
  MR_TIMEOUT=20 mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv: '[^']*data\.csv' is not a regular file$" && unchanged . "$before"
}
hostile_case csv-fifo-data case_csv_fifo_data

# Issue 19 (left list): feature cells are read as pandas reads them: 0x10 is text (Swift's Float
# reads 16), and 3.5e38 is a number beyond the 32-bit floats' range, not "not a number".
case_csv_feature_cells_as_pandas_reads_them() {
  csv_study . && { echo "x,label"; for i in $(seq 0 19); do echo "$i,$((i % 2))"; done; echo "0x10,1"; } >data.csv
  local before; before=$(snapshot .)
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:22: column x is not a number: '0x10'$" && unchanged . "$before" || return 1
  sed -i 's/^0x10,/3.5e38,/' data.csv
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:22: column x is outside Float range: '3\.5e38' \(features are 32-bit floats, at most ±3\.4028235e\+38\)$"
}
hostile_case csv-feature-cells-as-pandas-reads-them case_csv_feature_cells_as_pandas_reads_them

# Review r19b, finding 14: a column of tiny values, x = (i % 7) * 1e-50, was read as all 0 (32-bit
# floats underflow), where pandas reads 7 distinct values; overflow was refused. Now both are.
case_csv_feature_below_float_range() {
  csv_study . && { echo "x,label"; for i in $(seq 0 19); do echo "$((i % 7))e-50,$((i % 2))"; done; } >data.csv
  local before; before=$(snapshot .)
  mr --study study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: data\.csv:3: column x is below Float's smallest normal magnitude: '1e-50' \(features are 32-bit floats; a nonzero one is at least ±1\.1754944e-38\); scale the column$" \
    && unchanged . "$before"
}
hostile_case csv-feature-below-float-range case_csv_feature_below_float_range

# Review r19c, finding 15: a blank line among the rows (and a line of blanks at the end), which
# pandas skips, was refused as "has 1 cells, expected 3". It is still refused (docs/study-files.md,
# "CSV lines"), in words; empty lines at the end are read as no rows.
case_csv_blank_lines_are_refused_in_words() {
  csv_study s
  { echo "x,y,label"; for i in $(seq 0 29); do echo "$i,$((i % 7)),$((i % 2))"; done; echo; for i in $(seq 30 59); do echo "$i,$((i % 7)),$((i % 2))"; done; } >s/data.csv
  local before; before=$(snapshot .)
  mr --study s/study.yaml "${CSV_STUDY[@]}" --output out
  refused "^make-report: error: .*data\.csv:32: is blank; remove the blank lines among the rows \(pandas skips them, make-report refuses them\)$" &&
    unchanged . "$before" || return 1
  sed -i '32d' s/data.csv && printf '   \n' >>s/data.csv
  mr --study s/study.yaml "${CSV_STUDY[@]}" --output out
  refused "data\.csv:62: is blank; remove the blank lines" || return 1
  sed -i '$d' s/data.csv && printf '\n\n' >>s/data.csv
  mr --study s/study.yaml "${CSV_STUDY[@]}" --output out --quiet && succeeded
}
hostile_case csv-blank-lines-are-refused-in-words case_csv_blank_lines_are_refused_in_words
