# Issue 19, section 1 (data the tool must never destroy) and the output paths of section 4.

OUTPUT_STUDY=(--widths 8 --fractions 0,0.5 --seeds 1,2 --epochs 5)

# `git init r && cd r && make-report --output .`: a folder of hidden files is not empty, and not ours.
case_git_repository_as_output() {
  git init -q r && cd r && echo "x" >.gitignore
  local before; before=$(snapshot ..)
  mr "${OUTPUT_STUDY[@]}" --output . && refused "'\.git'" && unchanged .. "$before" || return 1
  mr "${OUTPUT_STUDY[@]}" --output ../r --no-store && refused "'\.git'" && unchanged .. "$before"
}
hostile_case git-repository-as-output case_git_repository_as_output

# A folder of the user's files that happens to hold a results.json.
case_users_folder_with_results_json() {
  mkdir -p out/drafts && echo mine >out/notes.txt && echo '{}' >out/results.json
  local before; before=$(snapshot .)
  mr "${OUTPUT_STUDY[@]}" --output out && refused "'drafts'" && unchanged . "$before"
}
hostile_case users-folder-with-results-json case_users_folder_with_results_json

# `--output ..` from inside a folder of the user's.
case_parent_folder_as_output() {
  mkdir -p project/sub && echo mine >project/notes.txt && cd project/sub
  local before; before=$(snapshot ../..)
  mr "${OUTPUT_STUDY[@]}" --output .. && refused "'notes\.txt'|'sub'" && unchanged ../.. "$before"
}
hostile_case parent-folder-as-output case_parent_folder_as_output

# A rerun keeps report.pdf and shard parts, and stops at a file the user put beside the set.
case_rerun_keeps_pdf_and_stops_at_users_file() {
  mr "${OUTPUT_STUDY[@]}" --output out --no-store && succeeded || return 1
  echo "%PDF mine" >out/report.pdf
  mr "${OUTPUT_STUDY[@]}" --output out --no-store && succeeded || return 1
  grep -q "mine" out/report.pdf || { why "report.pdf was not kept"; return 1; }
  echo mine >out/.notes
  local before; before=$(snapshot .)
  mr "${OUTPUT_STUDY[@]}" --output out --no-store && refused "'\.notes'" && unchanged . "$before"
}
hostile_case rerun-keeps-pdf-and-stops-at-users-file case_rerun_keeps_pdf_and_stops_at_users_file

# An output folder inside make-report's own work folder.
case_output_in_work_folder() {
  mkdir .make-report && echo lock >.make-report/out.lock
  local before; before=$(snapshot .)
  mr "${OUTPUT_STUDY[@]}" --output .make-report && refused "work folder" && unchanged . "$before" || return 1
  mr "${OUTPUT_STUDY[@]}" --output .make-report/inner && refused "work folder" && unchanged . "$before"
}
hostile_case output-in-work-folder case_output_in_work_folder

# A name longer than NAME_MAX allows for the staging folder, and a path deeper than PATH_MAX.
case_overlong_output_names() {
  local before; before=$(snapshot .)
  mr "${OUTPUT_STUDY[@]}" --output "$(printf 'n%.0s' {1..250})" && refused "bytes long" && unchanged . "$before" || return 1
  mr "${OUTPUT_STUDY[@]}" --output "$(for _ in {1..45}; do printf 'd%.0s' {1..99}; printf /; done)out" && refused "bytes long" \
    && unchanged . "$before"
}
hostile_case overlong-output-names case_overlong_output_names

# A mount point as output folder (the new set replaces the folder by a rename within its parent).
case_mount_point_as_output() {
  local mount; mount=$(awk '$5 != "/" && $5 !~ /\\/ {print $5}' /proc/self/mountinfo | head -n 1)
  [ -n "$mount" ] || { why "no mount point to try"; return 1; }
  mr "${OUTPUT_STUDY[@]}" --output "$mount" --no-store && refused "mount point"
}
hostile_case mount-point-as-output case_mount_point_as_output

# Things beside the output folder that would only fail after the sweep: a work folder that is a
# file, a dangling link as output, a store inside the output folder.
case_late_failures_refused_before_work() {
  echo x >.make-report
  local before; before=$(snapshot .)
  mr "${OUTPUT_STUDY[@]}" --output out --no-store && refused "is not a folder" && unchanged . "$before" || return 1
  rm .make-report && ln -s nowhere dangling && before=$(snapshot .)
  mr "${OUTPUT_STUDY[@]}" --output dangling --no-store && refused "symbolic link to nothing" && unchanged . "$before" || return 1
  mr "${OUTPUT_STUDY[@]}" --output o --store o/runs.sqlite && refused "inside the output folder" && unchanged . "$before"
}
hostile_case late-failures-refused-before-work case_late_failures_refused_before_work

# Paths a hand-made manifest lists outside the folder are never removed.
case_manifest_paths_outside_the_folder() {
  mr "${OUTPUT_STUDY[@]}" --output out --no-store && succeeded || return 1
  echo precious >victim.txt
  python3 - out/manifest.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["files"]["../victim.txt"] = "0" * 64
json.dump(m, open(sys.argv[1], "w"))
PY
  local before; before=$(snapshot .)
  mr "${OUTPUT_STUDY[@]}" --output out --no-store && refused "a path make-report never writes" && unchanged . "$before"
}
hostile_case manifest-paths-outside-the-folder case_manifest_paths_outside_the_folder

# A name that is not UTF-8 is not ours, and is never moved or removed.
case_non_utf8_name_in_output() {
  mr "${OUTPUT_STUDY[@]}" --output out --no-store && succeeded || return 1
  printf x >"out/$(printf 'caf\xe9.txt')"
  local before; before=$(snapshot .)
  mr "${OUTPUT_STUDY[@]}" --output out --no-store && refused "not UTF-8" && unchanged . "$before"
}
hostile_case non-utf8-name-in-output case_non_utf8_name_in_output

# Issue 19 follow-up: a run interrupted by SIGINT, SIGTERM or SIGHUP left its staging folder in
# .make-report (until the next run into the same folder); it removes it, then ends by the signal,
# and the published set is left as it was. (`env --default-signal`: a script's background job
# would otherwise ignore SIGINT, and so would make-report.)
case_interrupted_run_removes_its_staging_folder() {
  mr "${OUTPUT_STUDY[@]}" --output out --no-store && succeeded || return 1
  local before signal pid i; before=$(snapshot out)
  for signal in INT TERM HUP; do
    env --default-signal=INT,TERM,HUP "$MR" --widths 8,16,32 --fractions 0,0.2,0.4,0.6 --seeds 1,2,3,4,5,6,7,8 --epochs 1000 \
      --output out --no-store --quiet </dev/null >"$OUT" 2>"$ERR" &
    pid=$!
    for i in $(seq 600); do compgen -G ".make-report/out.staging-*" >/dev/null && break; sleep 0.05; done
    compgen -G ".make-report/out.staging-*" >/dev/null || { kill -9 "$pid"; why "no staging folder appeared"; return 1; }
    sleep 0.3
    kill -s "$signal" "$pid"
    wait "$pid" 2>/dev/null
    RC=$?
    [ "$RC" = $((128 + $(kill -l "$signal"))) ] || { why "SIG$signal: exit $RC, expected $((128 + $(kill -l "$signal"))): $(head -c 200 "$ERR")"; return 1; }
    ! compgen -G ".make-report/*.staging-*" >/dev/null || { why "SIG$signal left $(ls .make-report)"; return 1; }
    unchanged out "$before" || return 1
  done
}
hostile_case interrupted-run-removes-its-staging-folder case_interrupted_run_removes_its_staging_folder
