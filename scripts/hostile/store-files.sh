# Review r19c: the files beside a run store that SQLite did not write, and leftovers of killed builds.

STORE_FILES_STUDY=(--widths 8 --fractions 0,0.5 --seeds 1,2 --epochs 2 --quiet --format md --figure-format svg)

# Finding 2: a -wal or -shm hard-linked to a user's file had that file written into (8272 bytes of
# WAL frames, 32768 of shm), and a regular 5000-byte -wal of other content was deleted silently.
# Each is refused in one line with exit 2, and every file keeps its bytes.
case_foreign_wal_and_shm_are_refused_and_kept() {
  mr run "${STORE_FILES_STUDY[@]}" --output o && succeeded || return 1
  seq 1 1000 >user.txt
  local before companion
  for companion in wal shm; do
    ln user.txt ".make-report/runs.sqlite-$companion" && before=$(snapshot .)
    mr run "${STORE_FILES_STUDY[@]}" --output o --fractions 0,0.2
    refused "runs\.sqlite-$companion' beside it has 2 names \(hard links\), so SQLite would write into another file; move it away$" &&
      unchanged . "$before" || return 1
    rm ".make-report/runs.sqlite-$companion"
  done
  head -c 5000 /dev/urandom >.make-report/runs.sqlite-wal && before=$(snapshot .)
  for command in "run ${STORE_FILES_STUDY[*]} --output o" "store info --output o" "store verify --output o" "store prune --output o"; do
    # shellcheck disable=SC2086
    mr $command
    refused "runs\.sqlite-wal' beside it does not hold what SQLite writes in its -wal file, so it is not the store's; move it away$" &&
      unchanged . "$before" || { why "$command: $(cat "$WHY")"; return 1; }
  done
}
hostile_case foreign-wal-and-shm-are-refused-and-kept case_foreign_wal_and_shm_are_refused_and_kept

# Finding 8: a leftover runs.sqlite-journal beside an existing store failed run and store prune with
# exit 1 "SQLite: attempt to write a readonly database", and store info, verify and --dry-run passed
# it. Every command refuses it with the line a new store gets.
case_journal_beside_an_existing_store_is_refused() {
  mr run "${STORE_FILES_STUDY[@]}" --output o && succeeded || return 1
  seq 1000 >.make-report/runs.sqlite-journal
  local before command; before=$(snapshot .)
  for command in "run ${STORE_FILES_STUDY[*]} --output o" "run ${STORE_FILES_STUDY[*]} --output o --dry-run" "store info --output o" \
                 "store verify --output o" "store prune --output o"; do
    # shellcheck disable=SC2086
    mr $command
    refused "a leftover 'runs\.sqlite-journal' lies beside it \(SQLite would replay it into the store\); remove it too$" &&
      unchanged . "$before" || { why "$command: $(cat "$WHY")"; return 1; }
  done
}
hostile_case journal-beside-an-existing-store-is-refused case_journal_beside_an_existing_store_is_refused

# Finding 11: store info on a store with a -shm file beside it (and no -wal) created an empty -wal
# and left it. A -shm of other content is refused; SQLite's own -shm without a -wal is read as
# immutable; nothing is created either way.
case_store_info_creates_nothing_beside_the_store() {
  mr run "${STORE_FILES_STUDY[@]}" --output o && succeeded || return 1
  mkdir hl2 && cp .make-report/runs.sqlite hl2/ && seq 5000 >hl2/runs.sqlite-shm
  local before; before=$(snapshot hl2)
  mr store info --store hl2/runs.sqlite
  refused "runs\.sqlite-shm' beside it does not hold what SQLite writes in its -shm file" && unchanged hl2 "$before" || return 1
  # A WAL index header: version 3007000 in this machine's byte order, then zeros to 32 KiB.
  python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("=I", 3007000) + bytes(32764))' >hl2/runs.sqlite-shm
  before=$(snapshot hl2)
  for command in info verify; do
    mr store "$command" --store hl2/runs.sqlite && succeeded && unchanged hl2 "$before" || { why "store $command: $(cat "$WHY")"; return 1; }
  done
}
hostile_case store-info-creates-nothing-beside-the-store case_store_info_creates_nothing_beside_the_store

# Finding 14: `store prune --all` under `ulimit -f 50` on a 176 KiB store failed with "SQLite: disk
# I/O error" and left a 51200-byte -wal and a -shm. It is refused before the store is opened, naming
# the file size limit, and every file keeps its bytes.
case_prune_under_a_file_size_limit_is_refused() {
  mr run --widths 8 --fractions 0,0.1,0.2,0.3,0.4 --seeds "$(seq -s, 1 60)" --epochs 1 --quiet --format md --figure-format svg \
    --output o --store pf.sqlite && succeeded || return 1
  [ "$(stat -c %s pf.sqlite)" -gt 102400 ] || { why "the store has only $(stat -c %s pf.sqlite) bytes"; return 1; }
  local before; before=$(snapshot .)
  (ulimit -f 50; mr store prune --all --store pf.sqlite; exit "$RC")
  RC=$?
  refused "^make-report: error: run store 'pf\.sqlite': pruning it writes up to [0-9]+ bytes to a file .*, more than this process's file size limit \(ulimit -f 50\) allows; raise the limit$" &&
    unchanged . "$before" || return 1
  mr store prune --all --store pf.sqlite && succeeded && [ ! -e pf.sqlite-wal ] && [ ! -e pf.sqlite-shm ] ||
    { why "prune without the limit: exit $RC, $(ls pf.sqlite*)"; return 1; }
}
hostile_case prune-under-a-file-size-limit-is-refused case_prune_under_a_file_size_limit_is_refused

# Finding 7: a build killed before SQLite synced its journal leaves the journal's header with zeros
# in place of its magic number (5 of 6 trials); the next run removed the build's database but kept
# its journal, and warned on every run after. The journal is removed with it. Replayed with the 512
# bytes such a build left (kill -9 of `run` 0.2 s in), beside an empty build database of an ended process.
case_killed_builds_journal_is_removed() {
  local dead; dead=$(sh -c 'echo $$')
  mkdir .make-report && : >".make-report/runs.sqlite.new-$dead"
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(12) + bytes.fromhex("6670f01e000000000000020000001000") + bytes(484))' \
    >".make-report/runs.sqlite.new-$dead-journal"
  mr run "${STORE_FILES_STUDY[@]}" --output o && succeeded || return 1
  ! grep -q warning "$ERR" || { why "warned: $(cat "$ERR")"; return 1; }
  [ "$(ls -A .make-report)" = runs.sqlite ] || { why "left in .make-report: $(ls -A .make-report | tr '\n' ' ')"; return 1; }
}
hostile_case killed-builds-journal-is-removed case_killed_builds_journal_is_removed
