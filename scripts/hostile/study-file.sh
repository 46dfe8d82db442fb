# Issue 19: study files that took minutes to read, or whose error named no line.

# A 1 MB study file with 99,000 keys in one mapping took 162 s (a quadratic repeated-key check);
# its first unknown key is named in well under a second (bound: 5 s, for a slow host).
case_many_keys() {
  awk 'BEGIN { for (i = 0; i < 99000; i++) printf "k%d: 1\n", i }' >s.yaml
  local before; before=$(snapshot .)
  mr_timed run --study s.yaml --output out --no-store
  refused "s\.yaml:1:1: k0: unknown key 'k0'" && within 5 && unchanged . "$before"
}
hostile_case many-keys case_many_keys

# A key given twice was "not valid YAML" at 1:1; it is named with its line and column.
case_repeated_key_named_with_its_line() {
  printf 'title: Repeated\nseeds: [1]\ntraining:\n  epochs: 2\n  epochs: 3\n' >s.yaml
  mr run --study s.yaml --output out --no-store
  refused "s\.yaml:4:3: the key 'epochs' appears more than once in this mapping"
}
hostile_case repeated-key-named-with-its-line case_repeated_key_named_with_its_line

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
