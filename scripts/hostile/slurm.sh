# scripts/slurm/submit.sh, run with --dry-run (nothing is submitted; Slurm is not needed).

SLURM_STUDY_YAML='models: [{kind: logistic}]
fractions: [0, 0.5]
seeds: [1, 2]
training: {epochs: 2}
'

# submit ARGS...: scripts/slurm/submit.sh with the binary under test; its output goes to $OUT and
# $ERR, its exit code to $RC.
submit() {
  timeout -k 5 120 "$REPO/scripts/slurm/submit.sh" "$@" --binary "$MR" </dev/null >"$OUT" 2>"$ERR"
  RC=$?
}

# submit_refused PATTERN: the last `submit` exited 2 with one line on stderr matching PATTERN.
submit_refused() {
  [ "$RC" = 2 ] && [ "$(wc -l <"$ERR")" = 1 ] && grep -Eq -- "$1" "$ERR" ||
    { why "exit $RC, expected 2 and one line matching /$1/: $(head -c 300 "$ERR")"; return 1; }
}

# Review r19c, finding 6: submit.sh accepted a sweep folder inside a published output set (and
# wrote it there, spoiling the set) or inside .make-report, which every shard and the merge would
# then refuse on the cluster. The shards' folder DIR/parts and the merge's DIR/output are checked
# by make-report's dry run before anything is written.
case_submit_refuses_a_sweep_folder_the_shards_would_refuse() {
  printf '%s' "$SLURM_STUDY_YAML" >s.yaml
  mr run --study s.yaml --output o --no-store --quiet && succeeded || return 1
  local before; before=$(snapshot .)
  submit s.yaml --shards 2 --output o/sweep --dry-run
  submit_refused "^submit\.sh: error: the shards' folder is refused: --output: 'o/sweep/parts' lies inside '.*/o', an output set" &&
    unchanged . "$before" || return 1
  submit s.yaml --shards 2 --output .make-report/sweep --dry-run
  submit_refused "^submit\.sh: error: the shards' folder is refused: --output: '\.make-report' is make-report's work folder" &&
    unchanged . "$before" || return 1
  submit s.yaml --shards 2 --output sweep --dry-run
  [ "$RC" = 0 ] && [ -f sweep/shard.sbatch ] && [ -f sweep/merge.sbatch ] || { why "a plain folder: exit $RC: $(head -c 300 "$ERR")"; return 1; }
}
hostile_case submit-refuses-a-sweep-folder-the-shards-would-refuse case_submit_refuses_a_sweep_folder_the_shards_would_refuse

# Review r19c, finding 16: --sbatch-option --array=1-2 was accepted with --shards 3 (and applied to
# the merge job too): an option submit.sh sets itself is refused, in its long and short forms.
case_submit_refuses_sbatch_options_it_sets_itself() {
  printf '%s' "$SLURM_STUDY_YAML" >s.yaml
  local before option; before=$(snapshot .)
  # Review r19d, finding 8: sbatch (getopt_long) takes an unambiguous prefix of a long option and a
  # cluster of short options, which once passed: --arr=1-2, --depend=afterany:1 (which replaced the
  # merge's dependency), -vo/x.
  for option in --array=1-2 -a1-2 --dependency=afterok:1 -dafterany:1 --output=log.txt -olog.txt --requeue --no-requeue \
                --open-mode=truncate --cpus-per-task=4 -c4 \
                --arr=1-2 --depend=afterany:1 --out=/tmp/x.log --requeu --no-req --open=truncate --cpus=8 \
                -vo/x -vvc4 -Hd1 -QWa1-2; do
    submit s.yaml --shards 3 --output sweep --dry-run --sbatch-option "$option"
    submit_refused "^submit\.sh: error: --sbatch-option: '$option' would override --[a-z-]+ \(.*\), which submit\.sh sets itself; leave it out$" &&
      unchanged . "$before" || return 1
  done
  submit s.yaml --shards 3 --output sweep --dry-run --sbatch-option --qos=long --sbatch-option --mem=4G \
    --sbatch-option --cpus-per-gpu=2 --sbatch-option -vJname --sbatch-option -t10
  [ "$RC" = 0 ] && grep -q -- "--qos=long --mem=4G --cpus-per-gpu=2 -vJname -t10" "$OUT" ||
    { why "--qos=long --mem=4G --cpus-per-gpu=2 -vJname -t10: exit $RC: $(head -c 300 "$ERR")"; return 1; }
}
hostile_case submit-refuses-sbatch-options-it-sets-itself case_submit_refuses_sbatch_options_it_sets_itself
