# Issue 19, section 2: the run store is a cache, never an authority.

STORE_STUDY=(--widths 8 --fractions 0,0.5 --seeds 1,2 --epochs 5)

# python3's sqlite3 edits the store as a careless or hostile user would.
sql() { python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$@"; }

# Tampered entries (a changed accuracy, accuracy 5.0, a changed fraction and seed, metrics removed)
# are trained again, reported once, and the published results are those of an untouched run.
case_tampered_store_entries_are_retrained() {
  mr "${STORE_STUDY[@]}" --output out --store runs.sqlite && succeeded || return 1
  local clean; clean=$(sha256sum <out/results.json)
  sql runs.sqlite "
    UPDATE runs SET result = json_set(CAST(result AS TEXT), '$.metrics.testAccuracy', 0.123) WHERE rowid = 1;
    UPDATE runs SET result = json_set(CAST(result AS TEXT), '$.metrics.testAccuracy', 5.0) WHERE rowid = 2;
    UPDATE runs SET result = json_set(CAST(result AS TEXT), '$.fraction', 0.25, '$.seed', 9) WHERE rowid = 3;
    UPDATE runs SET result = json_set(CAST(result AS TEXT), '$.metrics', json('null')) WHERE rowid = 4;"
  mr store verify --store runs.sqlite
  [ "$RC" = 1 ] && grep -q "4 runs, 4 failed their check" "$OUT" || { why "store verify: exit $RC, $(cat "$OUT")"; return 1; }
  mr "${STORE_STUDY[@]}" --output out --store runs.sqlite && succeeded || return 1
  grep -q "warning: 4 stored runs failed their check and were trained again" "$ERR" || { why "no warning: $(cat "$ERR")"; return 1; }
  [ "$(sha256sum <out/results.json)" = "$clean" ] || { why "results.json differs from the untouched run's"; return 1; }
}
hostile_case tampered-store-entries-are-retrained case_tampered_store_entries_are_retrained

# store info / prune / verify on an SQLite database that is not a store: refused, byte-identical.
case_foreign_database_is_left_alone() {
  sql mine.sqlite "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');"
  local before; before=$(snapshot .)
  for command in "store info" "store prune --all" "store verify"; do
    # shellcheck disable=SC2086
    mr $command --store mine.sqlite && refused "not a make-report run store" && unchanged . "$before" || return 1
  done
  mr "${STORE_STUDY[@]}" --output out --store mine.sqlite && refused "not a make-report run store" && unchanged . "$before"
}
hostile_case foreign-database-is-left-alone case_foreign_database_is_left_alone

# A device, a FIFO, a folder or a /proc file as store: refused before work, nothing created beside it.
case_special_files_as_store() {
  mkfifo fifo && mkdir folder
  local before; before=$(snapshot .)
  for store in /dev/null fifo folder /proc/version; do
    mr "${STORE_STUDY[@]}" --output out --store "$store" && refused "--store: '[^']*': it is (a device|a FIFO|a folder|not a make-report run store)" \
      && unchanged . "$before" || return 1
  done
  [ ! -e /dev/null.open-lock ] && [ ! -e /dev/null-journal ] || { why "files created beside /dev/null"; return 1; }
}
hostile_case special-files-as-store case_special_files_as_store

# A stored NaN accuracy with a forged checksum (it once ended in "EncodingError.invalidValue"):
# refused by the range check, trained again, the published results those of an untouched run.
case_forged_nan_in_store_is_retrained() {
  mr "${STORE_STUDY[@]}" --output out --store runs.sqlite && succeeded || return 1
  local clean; clean=$(sha256sum <out/results.json)
  python3 - runs.sqlite <<'PY'
import hashlib, json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
key, payload = c.execute("SELECT key, result FROM runs ORDER BY key LIMIT 1").fetchone()
run = json.loads(payload)
run["metrics"]["testAccuracy"] = "nan"
forged = json.dumps(run, sort_keys=True, separators=(",", ":")).encode()
c.execute("UPDATE runs SET result = ?, checksum = ? WHERE key = ?",
          (forged, hashlib.sha256(key.encode() + b"\n" + forged).hexdigest(), key))
c.commit()
PY
  mr store verify --store runs.sqlite
  [ "$RC" = 1 ] && grep -q "its testAccuracy is nan" "$ERR" || { why "store verify: exit $RC, $(cat "$ERR")"; return 1; }
  mr "${STORE_STUDY[@]}" --output out --store runs.sqlite && succeeded || return 1
  grep -q "warning: 1 stored run failed its check and was trained again" "$ERR" || { why "no warning: $(cat "$ERR")"; return 1; }
  [ "$(sha256sum <out/results.json)" = "$clean" ] || { why "results.json differs from the untouched run's"; return 1; }
}
hostile_case forged-nan-in-store-is-retrained case_forged_nan_in_store_is_retrained
