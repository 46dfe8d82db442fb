# Issue 19: study files that took minutes to read, or whose error named no line.

# A 1 MB study file with 99,000 keys in one mapping took 162 s (a quadratic repeated-key check);
# its first unknown key is named in well under a second (bound: 5 s, for a slow host).
case_many_keys() {
  awk 'BEGIN { for (i = 0; i < 99000; i++) printf "k%d: 1\n", i }' >s.yaml
  local before; before=$(snapshot .)
  mr_timed run --study s.yaml --output out --no-store
  refused "s\.yaml:1:1: unknown key 'k0'" && within 5 && unchanged . "$before"
}
hostile_case many-keys case_many_keys

# A key given twice was "not valid YAML" at 1:1, then named at its first occurrence; it is named
# where it is repeated, with the first's line.
case_repeated_key_named_with_its_line() {
  printf 'title: Repeated\nseeds: [1]\ntraining:\n  epochs: 2\n  epochs: 3\n' >s.yaml
  mr run --study s.yaml --output out --no-store
  refused "s\.yaml:5:3: training: the key 'epochs' is given again \(first at line 4\)$" || return 1
  printf 'title: a\nseeds: [0, 1]\ntitle: b\n' >dup.yaml
  mr run --study dup.yaml --output out --no-store
  refused "dup\.yaml:3:1: the key 'title' is given again \(first at line 1\)$"
}
hostile_case repeated-key-named-with-its-line case_repeated_key_named_with_its_line

# The unknown-key message listed seeds twice among the known keys.
case_unknown_key_lists_each_known_key_once() {
  printf 'seeds: [0, 1]\nseed: 3\n' >s.yaml
  mr run --study s.yaml --output out --no-store
  refused "known keys: title, data, models, attacks, defenses, targets, measure, fractions, seeds, training, analysis, planning, claims\)$"
}
hostile_case unknown-key-lists-each-known-key-once case_unknown_key_lists_each_known_key_once

# Crafted large study files took seconds and hundreds of MB to refuse (600,000 keys in 9.4 MB:
# 3.2 s, 415 MB; a list of 2,000,000 fractions in 8 MB: 2.0 s, 342 MB), and a title of 10,000,000
# characters was accepted (7.3 s) to go into every report. A study file above 1 MiB is refused with
# its size before it is read, a title above 200 characters with its key, and a 1 MiB file of
# 500,000 values at the 100,001st; each in well under 0.1 s of processor time.
case_large_study_files_refused_at_once() {
  awk 'BEGIN { for (i = 0; i < 600000; i++) printf "key%d: 1\n", i }' >keys.yaml
  { printf 'fractions: ['; awk 'BEGIN { for (i = 0; i < 2000000; i++) printf "0,"; }'; printf '0]\n'; } >fractions.yaml
  { printf 'title: '; head -c 10000000 /dev/zero | tr '\0' x; printf '\n'; } >title.yaml
  { printf 'title: '; head -c 1000000 /dev/zero | tr '\0' x; printf '\n'; } >title-1mb.yaml
  { printf 'fractions: ['; awk 'BEGIN { for (i = 0; i < 500000; i++) printf "0,"; }'; printf '0]\n'; } >values.yaml
  printf 'title: %s\n' "$(head -c 201 /dev/zero | tr '\0' t)" >title-201.yaml
  local before; before=$(snapshot .)
  local file size pattern
  for file in keys fractions title; do
    size=$(stat -c %s "$file.yaml")
    mr_timed run --study "$file.yaml" --output out --no-store
    refused "^make-report: error: --study: '$file\.yaml' is $size bytes, larger than 1 MiB$" && within 0.1 || return 1
  done
  for pattern in "title-1mb.yaml:1:8: title: a key or value of 1000000 characters; a study file's hold at most 4096" \
                 "values.yaml:1:200009: fractions\[99998\]: the study file holds more than 100000 values" \
                 "title-201.yaml:1:1: title: expected at most 200 characters, found 201"; do
    mr_timed run --study "${pattern%%:*}" --output out --no-store
    refused "$pattern\$" && within 0.1 || return 1
  done
  unchanged . "$before"
}
hostile_case large-study-files-refused-at-once case_large_study_files_refused_at_once

# Issue 21: careless published claims were accepted: an empty source ("The claims of , each
# beside..."), an empty thresholds mapping ("Of 0 published claims"), 20,000 thresholds (a
# 20,158-line report). Each is refused in one line naming its key.
case_empty_claims_source() {
  printf "seeds: [1]\nclaims:\n  source: ''\n" >s.yaml
  mr run --study s.yaml --output out --no-store
  refused "claims\.source: expected the publication's name"
}
hostile_case empty-claims-source case_empty_claims_source

case_empty_claimed_thresholds() {
  printf "seeds: [1]\nclaims:\n  source: p\n  thresholds: {}\n" >s.yaml
  mr run --study s.yaml --output out --no-store
  refused "claims\.thresholds: expected at least one series label"
}
hostile_case empty-claimed-thresholds case_empty_claimed_thresholds

case_twenty_thousand_claimed_thresholds() {
  { printf "seeds: [1]\nclaims:\n  source: p\n  thresholds:\n"
    awk 'BEGIN { for (i = 0; i < 20000; i++) printf "    MLP %d: 0.4\n", i }'; } >s.yaml
  mr run --study s.yaml --output out --no-store
  refused "claims\.thresholds: expected at most 1000 published thresholds, found 20000"
}
hostile_case twenty-thousand-claimed-thresholds case_twenty_thousand_claimed_thresholds

# Issue 19 (left list): a FIFO as the study file would block the read forever: refused at once, no
# writer needed, nothing created.
case_fifo_study() {
  mkfifo s.yaml
  local before; before=$(snapshot .)
  MR_TIMEOUT=20 mr run --study s.yaml --output out --no-store
  refused "s\.yaml' is not a regular file$" && unchanged . "$before"
}
hostile_case fifo-study case_fifo_study
