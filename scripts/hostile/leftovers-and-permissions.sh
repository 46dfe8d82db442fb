# Review r19 (3 Dec), findings 3 to 6: leftovers in `.make-report/` that are links, lock files that
# are links, and folders the user cannot write. The permission cases run the binary as the user
# nobody (`runuser`, so they need root, as CI runs them: permissions do not bind root) in a folder of
# mode 777 under /tmp, since the runner's own scratch folder is private to root.

SAFETY_STUDY=(--widths 8 --fractions 0,0.5 --seeds 1,2 --epochs 5 --quiet --format md)
# The same study without --quiet, for the runs whose warnings a case reads (--quiet prints errors only).
WARNING_STUDY=(--widths 8 --fractions 0,0.5 --seeds 1,2 --epochs 5 --format md)

# mr_nobody ARGS...: `mr` as the user nobody, through the copy of the binary nobody_folder made.
mr_nobody() {
  timeout -k 5 "${MR_TIMEOUT:-120}" runuser -u nobody -- "$NOBODY_MR" "$@" </dev/null >"$OUT" 2>"$ERR"
  RC=$?
}

# nobody_folder: makes a folder of mode 777 under /tmp for the user nobody and enters it, and copies
# the binary into a folder of mode 755 beside it (NOBODY_MR), since the one under test may lie in a
# folder private to root (a fresh clone in a mktemp folder); both are removed when the case ends.
# Fails, with the reason, when this shell cannot run commands as nobody.
nobody_folder() {
  [ "$(id -u)" = 0 ] && command -v runuser >/dev/null || { why "needs root and runuser to run the binary as the user nobody"; return 1; }
  local folder bin
  folder=$(mktemp -d /tmp/hostile-nobody.XXXXXX) && chmod 777 "$folder" || return 1
  bin=$(mktemp -d /tmp/hostile-nobody-bin.XXXXXX) && chmod 755 "$bin" && cp "$MR" "$bin/make-report" && chmod 755 "$bin/make-report" || return 1
  NOBODY_MR=$bin/make-report
  # shellcheck disable=SC2064  # the folders are known now
  trap "rm -rf '$folder' '$bin'" EXIT
  cd "$folder" || return 1
}

# Finding 4: a symbolic link named like a leftover of an ended run (`o.previous-PID-N`,
# `o.staging-PID`) made the next run into `o` remove every file of the set it points to. Links are
# never entered: they stay, named in one warning each, and the set elsewhere is left whole.
case_link_named_like_a_leftover_is_never_followed() {
  mr "${SAFETY_STUDY[@]}" --output keep/P --no-store && succeeded || return 1
  local dead before; true & dead=$!
  wait "$dead"
  mkdir -p .make-report && ln -s "$PWD/keep/P" ".make-report/o.previous-$dead-0" && ln -s "$PWD/keep/P" ".make-report/o.staging-$dead" || return 1
  before=$(snapshot keep)
  mr "${WARNING_STUDY[@]}" --output o --no-store && succeeded || return 1
  unchanged keep "$before" || return 1
  [ -L ".make-report/o.previous-$dead-0" ] && [ -L ".make-report/o.staging-$dead" ] || { why "a link was removed: $(ls -A .make-report | tr '\n' ' ')"; return 1; }
  [ "$(grep -c "^warning: .*/o\.\(previous-$dead-0\|staging-$dead\)' is named as a leftover of an ended run, but it is not a folder" "$ERR")" = 2 ] ||
    { why "the links were not named in two warnings: $(head -c 300 "$ERR")"; return 1; }
}
hostile_case link-named-like-a-leftover-is-never-followed case_link_named_like_a_leftover_is_never_followed

# Issue 19 (open list): the leftovers of a killed build of the run store were judged with
# access(F_OK), which follows links: a link to nothing named like an ended build's database counted
# as no database, and was removed with the journal beside it. Both stay, named in a warning each.
case_dangling_link_named_like_a_build_is_kept() {
  local dead; true & dead=$!
  wait "$dead"
  mkdir .make-report && ln -s "$PWD/missing.db" ".make-report/runs.sqlite.new-$dead" &&
    printf '\xd9\xd5\x05\xf9\x20\xa1\x63\xd7' >".make-report/runs.sqlite.new-$dead-journal" || return 1
  mr "${WARNING_STUDY[@]}" --output o && succeeded || return 1
  [ -L ".make-report/runs.sqlite.new-$dead" ] && [ "$(readlink ".make-report/runs.sqlite.new-$dead")" = "$PWD/missing.db" ] &&
    [ "$(od -An -tx1 ".make-report/runs.sqlite.new-$dead-journal" | tr -d ' \n')" = d9d505f920a163d7 ] && [ ! -e missing.db ] ||
    { why "the link or the journal beside it was changed: $(ls -A .make-report | tr '\n' ' ')"; return 1; }
  [ "$(grep -c "^warning: .*runs\.sqlite\.new-$dead\(-journal\)\?' is named as an ended build of the run store, but its content does not prove it one; it was left as it is$" "$ERR")" = 2 ] ||
    { why "the link and the journal were not named in two warnings: $(head -c 300 "$ERR")"; return 1; }
}
hostile_case dangling-link-named-like-a-build-is-kept case_dangling_link_named_like_a_build_is_kept

# Finding 5: a file of the user's hard-linked as the output lock was overwritten with the process
# id. A lock file with two names, or a symbolic link there, is refused before any work, left as it is.
case_linked_lock_file_is_refused_and_kept() {
  : >mine.txt && mkdir .make-report && ln mine.txt .make-report/o.lock || return 1
  local before; before=$(snapshot .)
  mr "${SAFETY_STUDY[@]}" --output o && refused "o\.lock': it has 2 names \(hard links\), so writing it would change another file" &&
    unchanged . "$before" || return 1
  rm .make-report/o.lock && ln -s ../mine.txt .make-report/o.lock && before=$(snapshot .)
  mr "${SAFETY_STUDY[@]}" --output o && refused "o\.lock': it is a symbolic link, so it is not make-report's lock file" && unchanged . "$before"
}
hostile_case linked-lock-file-is-refused-and-kept case_linked_lock_file_is_refused_and_kept

# Finding 3: as nobody, a shard's folder of root's (mode 555), an output folder of root's in a folder
# anyone may write, a `.make-report` of root's, and a folder of a published set made read-only
# (finding 6's first half) were found only after the whole sweep (exit 1), and --dry-run passed
# them. Each is refused before any work, by the dry run too, with nothing created or changed.
case_folders_nobody_cannot_write_are_refused_before_work() {
  nobody_folder || return 1
  mkdir a b && chmod 777 a b && mkdir a/rd a/o2 && chmod 555 a/rd || return 1
  local before dry
  cd a && before=$(snapshot .)
  for dry in "" --dry-run; do
    mr_nobody "${SAFETY_STUDY[@]}" --shard 1/2 --output rd --no-store $dry && refused "cannot write in '.*/rd': Permission denied" &&
      unchanged . "$before" || return 1
    mr_nobody "${SAFETY_STUDY[@]}" --output o2 --no-store $dry && refused "cannot write in '.*/o2': Permission denied" && unchanged . "$before" || return 1
  done
  mr_nobody "${SAFETY_STUDY[@]}" --shard 1/1 --output parts --no-store && succeeded && before=$(snapshot .) || return 1
  mr_nobody merge parts/results.part-1-of-1.json --output o2 --quiet && refused "cannot write in '.*/o2': Permission denied" &&
    unchanged . "$before" || return 1
  cd ../b && mkdir .make-report && before=$(snapshot .)
  for dry in "" --dry-run; do
    mr_nobody "${SAFETY_STUDY[@]}" --output o3 --no-store $dry && refused "cannot write in '.*/\.make-report': Permission denied" &&
      unchanged . "$before" || return 1
  done
  cd .. && runuser -u nobody -- mkdir c && cd c || return 1
  mr_nobody "${SAFETY_STUDY[@]}" --output o4 --no-store && succeeded || return 1
  runuser -u nobody -- chmod 555 o4/figures && before=$(snapshot .)
  mr_nobody "${SAFETY_STUDY[@]}" --output o4 --no-store && refused "cannot write in '.*/o4/figures': Permission denied" && unchanged . "$before"
}
hostile_case folders-nobody-cannot-write-are-refused-before-work case_folders_nobody_cannot_write_are_refused_before_work

# Finding 3, in a folder with the sticky bit (as /tmp, or a cluster's /scratch): an output folder of
# root's that anyone may write (777) cannot be moved by nobody, so a new set cannot replace it; the
# rename failed after the whole sweep. Refused before any work; a shard, which only writes its part
# file there, goes on.
case_folder_of_another_user_in_a_sticky_folder() {
  nobody_folder || return 1
  mkdir s && chmod 1777 s && mkdir s/o6 && chmod 777 s/o6 && cd s || return 1
  local before; before=$(snapshot .)
  mr_nobody "${SAFETY_STUDY[@]}" --output o6 --no-store --dry-run && refused "'.*/o6' belongs to another user, in '.*/s', a folder with the sticky bit" &&
    unchanged . "$before" || return 1
  mr_nobody "${SAFETY_STUDY[@]}" --shard 1/2 --output o6 --no-store && succeeded || return 1
  [ -f o6/results.part-1-of-2.json ] || { why "the shard wrote no part file"; return 1; }
}
hostile_case folder-of-another-user-in-a-sticky-folder case_folder_of_another_user_in_a_sticky_folder

# Finding 6: a set an ended run displaced, whose files nobody cannot remove (a folder of it read-only),
# was kept without a word by every later run. Each later run removes what it can and names the
# rest, and why, in one warning.
case_displaced_set_that_cannot_be_removed_is_named() {
  nobody_folder || return 1
  mr_nobody "${SAFETY_STUDY[@]}" --output o5 --no-store && succeeded || return 1
  local dead run; true & dead=$!
  wait "$dead"
  runuser -u nobody -- sh -c "mkdir .make-report && cp -r o5 .make-report/o5.previous-$dead-0 && chmod 555 .make-report/o5.previous-$dead-0/figures" ||
    return 1
  for run in 1 2; do
    mr_nobody "${WARNING_STUDY[@]}" --output o5 --no-store && succeeded || return 1
    grep -q "^warning: .*/o5\.previous-$dead-0', a set an ended run displaced, could not be removed whole: 'figures/[^']*'.*: Permission denied; it was left there$" "$ERR" ||
      { why "run $run did not name the set it could not remove: $(head -c 300 "$ERR")"; return 1; }
  done
  chmod 755 ".make-report/o5.previous-$dead-0/figures"
  mr_nobody "${SAFETY_STUDY[@]}" --output o5 --no-store && succeeded || return 1
  [ ! -e .make-report ] || { why "the displaced set was not removed once it could be: $(ls -A .make-report | tr '\n' ' ')"; return 1; }
}
hostile_case displaced-set-that-cannot-be-removed-is-named case_displaced_set_that_cannot_be_removed_is_named

# Finding 10c: a shard into the folder of a merged set that holds its part files was refused, "would
# be a file its manifest.json does not list", though part files are kept beside a set. It writes its
# part there, and the set stays whole.
case_shard_into_a_merged_set_with_its_parts() {
  local k
  for k in 1 2 3; do mr "${SAFETY_STUDY[@]}" --shard "$k/3" --output p2 --no-store && succeeded || return 1; done
  mr merge p2/results.part-{1,2,3}-of-3.json --output p2 --quiet && succeeded || return 1
  local before; before=$(sha256sum p2/results.json)
  mr "${SAFETY_STUDY[@]}" --shard 1/3 --output p2 --no-store && succeeded || return 1
  [ "$(sha256sum p2/results.json)" = "$before" ] || { why "the merged set changed"; return 1; }
  mr validate p2
  ! grep -Eq "manifest|not part of|missing" "$ERR" || { why "validate p2: $(head -c 200 "$ERR")"; return 1; }
}
hostile_case shard-into-a-merged-set-with-its-parts case_shard_into_a_merged_set_with_its_parts

# Finding 10a: a run into `new1/sub/o` interrupted by SIGINT left the folders `new1/sub` it made.
# It ends by the signal with nothing of its own left, those folders included.
case_interrupted_run_removes_the_folders_it_made() {
  local pid
  env --default-signal=INT "$MR" --widths 8,16,32 --fractions 0,0.2,0.4,0.6 --seeds 1,2,3,4,5,6,7,8 --epochs 1000 \
    --output new1/sub/o --no-store --quiet </dev/null >"$OUT" 2>"$ERR" &
  pid=$!
  for _ in $(seq 600); do compgen -G "new1/sub/.make-report/o.staging-*" >/dev/null && break; sleep 0.05; done
  compgen -G "new1/sub/.make-report/o.staging-*" >/dev/null || { kill -9 "$pid"; why "no staging folder appeared"; return 1; }
  kill -INT "$pid"
  wait "$pid" 2>/dev/null
  RC=$?
  [ "$RC" = 130 ] || { why "exit $RC, expected 130: $(head -c 200 "$ERR")"; return 1; }
  [ -z "$(ls -A)" ] || { why "SIGINT left $(find . | tr '\n' ' ')"; return 1; }
}
hostile_case interrupted-run-removes-the-folders-it-made case_interrupted_run_removes_the_folders_it_made

# Issue 19: `check` tested $TMPDIR with access(2), which lets root write anywhere (/proc too) and
# says nothing of a folder nobody may not write that root made: it now makes its scratch folder
# there, and a folder that cannot be made refuses the command in one line, exit 2, nothing created.
case_check_with_a_tmpdir_nobody_cannot_write() {
  nobody_folder || return 1
  mr_nobody "${SAFETY_STUDY[@]}" --output out --no-store && succeeded || return 1
  mkdir tmp && chmod 755 tmp || return 1
  local before; before=$(snapshot .)
  TMPDIR=$PWD/tmp mr_nobody check "${SAFETY_STUDY[@]}" --output out
  refused "^make-report: error: \\\$TMPDIR \('$PWD/tmp'\) is not writable \(Permission denied\); set TMPDIR to a writable folder$" &&
    unchanged . "$before" || return 1
  TMPDIR=/proc mr check "${SAFETY_STUDY[@]}" --output out
  refused "^make-report: error: \\\$TMPDIR \('/proc'\) is not writable \(.+\); set TMPDIR to a writable folder$" && unchanged . "$before"
}
hostile_case check-with-a-tmpdir-nobody-cannot-write case_check_with_a_tmpdir_nobody_cannot_write
