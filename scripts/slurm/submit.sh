#!/usr/bin/env bash
# Submits a make-report study to Slurm: a job array of N shards (`make-report run --shard K/N`), then
# a merge job that runs once every shard has succeeded (docs/scale-out.md). Run `submit.sh --help`.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/slurm/submit.sh STUDY.yaml --shards N --output DIR [OPTIONS] [-- MERGE_OPTIONS...]

Submits the study as a Slurm job array of N shards, each `make-report run --study STUDY.yaml
--shard K/N` with its own run store, then a merge job (--dependency=afterok on the array) that
writes results.json, the figures and the reports into DIR/output: byte for byte what a
single-machine `make-report run --study STUDY.yaml` writes.

DIR must be on a file system every node sees, missing or empty, and a folder make-report may
write DIR/parts and DIR/output in (not inside a published output set or a .make-report folder;
checked by make-report's dry run before anything is written). It receives:
  shard.sbatch, merge.sbatch   the two batch scripts as submitted (resubmittable by hand)
  logs/                        one log per shard task (both attempts when a task is retried) and the merge's
  parts/                       results.part-K-of-N.json, one per shard
  output/                      the merged results, figures and reports

Run store: each task keeps its finished runs in its own SQLite file on the node's local disk,
STORE_DIR/make-report-JOBID-K/runs.sqlite, so a task that Slurm retries (the array is submitted
with --requeue: a node failure, a preemption, `scontrol requeue`) trains only the runs it had not
stored. The file is removed once the task has written its part. Never put it on NFS or another
network file system: SQLite's locks are unreliable there, and its WAL mode needs shared memory on
one host (a store there is refused by the task). A task you cancelled, or that failed: requeue it
(scontrol requeue JOBID_K) and renew the merge job's dependency, as docs/scale-out.md shows.

Required:
  STUDY.yaml             The study file (`make-report study` prints one to start from); the
                         shards read it when they start, so do not edit it before they have.
  --shards N             Number of shards (array tasks), at most the study's number of runs.
  --output DIR           The sweep's folder (see above).

Options:
  --binary PATH          make-report to run, on a file system the nodes see (default: the
                         make-report on PATH).
  --cpus-per-task C      CPUs of each task, used as the shard's --threads (default: 1).
  --time T               Time limit of each shard task, in a form sbatch accepts (e.g. 30,
                         2:00:00); default: the partition's.
  --partition P          Partition of every job (default: the cluster's default).
  --account A            Account charged for every job.
  --job-name NAME        Name of the jobs (default: make-report-STUDY, STUDY the file's name
                         without its extension).
  --store-dir PATH       Node-local folder for the tasks' run stores, as seen on the nodes
                         (default: the task's $TMPDIR, else /tmp).
  --sbatch-option OPT    Another sbatch option for every job (e.g. --qos=long, --mem=4G);
                         repeatable. Not one submit.sh sets itself: --array, --dependency,
                         --output, --requeue, --open-mode, --cpus-per-task, nor a prefix
                         sbatch would read as one (--arr=1-2) or a short option of theirs
                         in a cluster (-vo/x) (refused).
  --dry-run              Check the arguments and the study, write DIR's scripts, print the
                         sbatch commands, and submit nothing.
  -h, --help             Show this help.
  -- MERGE_OPTIONS...    Options for `make-report merge` (output options such as
                         --figure-format pdf,png or --format html), checked before anything
                         is queued.

Exit status: 0 submitted; 2 refused arguments or study (one line, nothing submitted or written);
1 sbatch failed.
EOF
}

# One line on standard error and exit status 2: refused input, before anything is written or submitted.
refuse() {
  echo "submit.sh: error: $1" >&2
  exit 2
}

# Prints the file-system type of PATH's file system when it is a network one (NFS, Lustre, GPFS,
# CIFS/SMB, Ceph, AFS, BeeGFS), where a run store must not live; prints nothing otherwise.
network_file_system() {
  local type
  type=$(stat -f -c %T "$1" 2>/dev/null) || return 0
  case "$type" in
    nfs* | lustre | gpfs | cifs | smb* | ceph | afs | beegfs) echo "$type" ;;
  esac
}

study="" shards="" output="" binary="" cpus=1 time_limit="" partition="" account="" job_name="" store_dir="" dry_run=0
sbatch_options=()
merge_options=()
# The value of option $1, which must be given ($2 is the number of arguments left, the option included).
need_value() {
  [ "$2" -ge 2 ] || refuse "$1 needs a value"
}
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --shards) need_value "$1" $#; shards=$2; shift 2 ;;
    --output) need_value "$1" $#; output=$2; shift 2 ;;
    --binary) need_value "$1" $#; binary=$2; shift 2 ;;
    --cpus-per-task) need_value "$1" $#; cpus=$2; shift 2 ;;
    --time) need_value "$1" $#; time_limit=$2; shift 2 ;;
    --partition) need_value "$1" $#; partition=$2; shift 2 ;;
    --account) need_value "$1" $#; account=$2; shift 2 ;;
    --job-name) need_value "$1" $#; job_name=$2; shift 2 ;;
    --store-dir) need_value "$1" $#; store_dir=$2; shift 2 ;;
    --sbatch-option) need_value "$1" $#; sbatch_options+=("$2"); shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --) shift; merge_options=("$@"); break ;;
    -*) refuse "unknown option '$1' (see --help)" ;;
    *)
      [ -z "$study" ] || refuse "one study file only: '$study' and '$1' (see --help)"
      study=$1; shift ;;
  esac
done

[ -n "$study" ] || refuse "give the study file: submit.sh STUDY.yaml --shards N --output DIR (see --help)"
[ -n "$shards" ] || refuse "--shards N is required"
[ -n "$output" ] || refuse "--output DIR is required"
[[ "$shards" =~ ^[1-9][0-9]{0,5}$ ]] || refuse "--shards: '$shards' is not a whole number from 1 to 999999"
[[ "$cpus" =~ ^[1-9][0-9]{0,3}$ ]] || refuse "--cpus-per-task: '$cpus' is not a whole number from 1 to 9999"
[ -f "$study" ] || refuse "the study file '$study' is not a regular file"
[ -r "$study" ] || refuse "the study file '$study' is not readable"
# The study's path as given, made absolute but with its symbolic links kept: make-report reads a
# relative data path in a study file against the folder the path names (a link's own folder).
[[ "$study" = /* ]] || study=$PWD/$study

if [ -z "$binary" ]; then
  binary=$(command -v make-report) || refuse "no make-report on PATH: give --binary PATH"
fi
{ [ -f "$binary" ] && [ -x "$binary" ]; } || refuse "--binary: '$binary' is not an executable file"
binary=$(realpath "$binary")

# The folder and the job name go into #SBATCH lines, which carry no quoting, and % starts a pattern there.
[[ "$(realpath -m "$output")" =~ ^[A-Za-z0-9._/+,:=@-]+$ ]] ||
  refuse "--output: '$output' has a blank, %, a quote or another character an #SBATCH line cannot carry; give a plainer path"
[ -z "$time_limit" ] || [[ "$time_limit" =~ ^[0-9:-]+$ ]] || refuse "--time: '$time_limit' is not a time limit such as 30, 2:00:00 or 1-00:00:00"
created_output=1
if [ -e "$output" ] || [ -L "$output" ]; then
  created_output=0
  { [ -d "$output" ] && [ ! -L "$output" ]; } || refuse "--output: '$output' exists and is not a folder"
  [ -z "$(ls -A "$output")" ] || refuse "--output: '$output' is not empty; give a new folder"
fi
if [ -n "$store_dir" ]; then
  [[ "$store_dir" = /* ]] || refuse "--store-dir: '$store_dir' is not an absolute path"
  if [ -d "$store_dir" ] && [ -n "$(network_file_system "$store_dir")" ]; then
    refuse "--store-dir: '$store_dir' is on a network file system ($(network_file_system "$store_dir")), where SQLite is unsafe; give a node-local folder"
  fi
fi
if [ -z "$job_name" ]; then
  job_name=$(basename "$study")
  job_name="make-report-${job_name%.*}"
  job_name=${job_name//[^A-Za-z0-9._-]/-}
fi
for option in "${merge_options[@]}"; do
  case "$option" in
    --output | --output=*) refuse "the merge writes into DIR/output: give no --output after --" ;;
  esac
done
# The options submit.sh sets in the batch scripts, which an --sbatch-option would override (on the
# command line, sbatch's options win over #SBATCH lines), and for every job, the merge's too.
# sbatch reads its options with getopt_long, which takes any unambiguous prefix of a long option
# (--arr=1-2 is --array=1-2) and a cluster of short options (-vo/x is -v -o /x), so a long option
# whose name is a prefix of one of these is refused (a prefix that is ambiguous would fail in
# sbatch anyway), and so is a short option among sbatch's own letters in a cluster.
owned_option() {
  case "$1" in
    array) echo "--array (the shards' job array: give --shards)" ;;
    dependency) echo "--dependency (the merge job's on the shards)" ;;
    output) echo "--output (the logs in DIR/logs)" ;;
    requeue | no-requeue) echo "--requeue (a shard that Slurm retries resumes from its store)" ;;
    open-mode) echo "--open-mode (a retried shard's log is appended to)" ;;
    cpus-per-task) echo "--cpus-per-task (give submit.sh's own --cpus-per-task)" ;;
  esac
}
owned_short_option() {
  case "$1" in
    a) owned_option array ;;
    d) owned_option dependency ;;
    o) owned_option output ;;
    c) owned_option cpus-per-task ;;
  esac
}
# Prints what the sbatch argument $1 would override (`owned_option`), or nothing.
sbatch_option_override() {
  local word=$1 name candidate letter index
  if [[ "$word" == --?* ]]; then
    name=${word#--}
    name=${name%%=*}
    for candidate in array dependency output requeue no-requeue open-mode cpus-per-task; do
      if [[ "$candidate" == "$name"* ]]; then owned_option "$candidate"; return; fi
    done
  elif [[ "$word" == -?* && "$word" != --* ]]; then
    # The letters of a cluster, up to the first that takes a value (the rest of the word is that
    # value): sbatch's short options without a value are -H -h -O -Q -s -u -V -v -W.
    for ((index = 1; index < ${#word}; index++)); do
      letter=${word:index:1}
      case "$letter" in
        a | d | o | c) owned_short_option "$letter"; return ;;
        H | h | O | Q | s | u | V | v | W) ;;
        *) return 0 ;;
      esac
    done
  fi
  return 0
}
for option in "${sbatch_options[@]}"; do
  owned=$(sbatch_option_override "$option")
  [ -z "$owned" ] || refuse "--sbatch-option: '$option' would override $owned, which submit.sh sets itself; leave it out"
done
[[ "$job_name" =~ ^[A-Za-z0-9._-]+$ ]] || refuse "--job-name: '$job_name' may hold only letters, digits, '.', '_' and '-'"

# The study must parse and be shardable (an adaptive study is not), and N must not exceed its runs,
# before anything is queued: make-report's dry run checks the study as a shard would and prints its
# run count ("Dry run: the study has 36 runs ..."). It is given the shards' output folder,
# DIR/parts, and the merge's, DIR/output, so that a folder every shard or the merge would refuse
# (inside a published output set, or inside .make-report) is refused here, before DIR is written;
# a dry run creates nothing. The merge's options must be ones `merge` takes (it parses and checks
# them, then stops at a part that does not exist: "cannot read ..."), with values the merge will
# accept for this study (the dry run checks the output options it shares with `merge`, the template
# against the study's report included), so that a bad one is not found only once the shards are done.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
message=$("$binary" run --study "$study" --shard 1/1 --dry-run --no-store --quiet --output "$output/parts" 2>&1) || status=$?
if [ "$status" -ne 0 ]; then
  message=${message##*$'\n'}
  message=${message#make-report: error: }
  [[ "$message" != --output:* ]] || refuse "the shards' folder is refused: $message"
  refuse "the study '$study' is refused: $message"
fi
status=0
folder_message=$("$binary" run --study "$study" --shard 1/1 --dry-run --no-store --quiet --output "$output/output" 2>&1) || status=$?
[ "$status" -eq 0 ] || refuse "the merge's folder is refused: ${folder_message##*$'\n'make-report: error: }"
if [ ${#merge_options[@]} -gt 0 ]; then
  status=0
  merge_message=$("$binary" merge "${merge_options[@]}" --output "$scratch/merge-check" -- "$scratch/unwritten-part.json" 2>&1) || status=$?
  merge_message=${merge_message##*$'\n'}
  [[ "$status" -eq 2 && "$merge_message" == "make-report: error: merge: cannot read '"*"unwritten-part.json': No such file or directory" ]] ||
    refuse "the merge options after -- are refused: ${merge_message#make-report: error: }"
  output_options=()
  for option in "${merge_options[@]}"; do [ "$option" = --quiet ] || output_options+=("$option"); done
  status=0
  merge_message=$("$binary" run --study "$study" --shard 1/1 --dry-run --no-store --quiet --output "$output/output" \
    "${output_options[@]}" 2>&1) || status=$?
  merge_message=${merge_message##*$'\n'}
  [ "$status" -eq 0 ] || refuse "the merge options after -- are refused: ${merge_message#make-report: error: }"
fi
[[ "$message" =~ the\ study\ has\ ([0-9]+)\ run ]] || refuse "$binary --dry-run did not give the study's run count: $message"
runs=${BASH_REMATCH[1]}
[ "$shards" -le "$runs" ] || refuse "--shards: $shards is more than the study's $runs runs; give at most $runs"

# Everything below is written into DIR (created now) and submitted.
mkdir -p "$output/logs" "$output/parts"
output=$(realpath "$output")

# Every value baked into the batch scripts is quoted for bash (printf %q).
q() { printf '%q' "$1"; }
# Without --store-dir, the task's $TMPDIR (else /tmp), expanded on the node when the task runs.
# shellcheck disable=SC2016
if [ -n "$store_dir" ]; then store_root=$(q "$store_dir"); else store_root='${TMPDIR:-/tmp}'; fi
study_sha256=$(sha256sum "$study" | cut -d' ' -f1)

{
  echo "#!/bin/bash"
  echo "# Written by scripts/slurm/submit.sh: shard \$SLURM_ARRAY_TASK_ID of $shards of $(q "$study")."
  echo "#SBATCH --job-name=$(q "$job_name")"
  echo "#SBATCH --array=1-$shards"
  echo "#SBATCH --cpus-per-task=$cpus"
  echo "#SBATCH --requeue"
  echo "#SBATCH --open-mode=append"
  echo "#SBATCH --output=$(q "$output/logs/shard-%A_%a.out")"
  [ -z "$time_limit" ] || echo "#SBATCH --time=$(q "$time_limit")"
  cat <<EOF
set -euo pipefail
study=$(q "$study")
# A task runs the study file it was submitted with, or nothing (the parts would not merge).
if [ "\$(sha256sum "\$study" | cut -d' ' -f1)" != $study_sha256 ]; then
  echo "error: \$study has changed since the sweep was submitted; submit it again" >&2
  exit 2
fi
# The task's own run store on node-local disk: a retried task (same job and task id) on this node
# resumes from it. Not on a network file system: SQLite's locks are unreliable there and its WAL
# needs shared memory on one host.
store_folder=$store_root/make-report-\$SLURM_ARRAY_JOB_ID-\$SLURM_ARRAY_TASK_ID
mkdir -p "\$store_folder"
case "\$(stat -f -c %T "\$store_folder")" in
  nfs* | lustre | gpfs | cifs | smb* | ceph | afs | beegfs)
    echo "error: the run store's folder \$store_folder is on a network file system, where SQLite is unsafe; give submit.sh a node-local --store-dir" >&2
    exit 2 ;;
esac
echo "Shard \$SLURM_ARRAY_TASK_ID/$shards on \$(hostname -s), attempt \$((\${SLURM_RESTART_COUNT:-0} + 1)), store \$store_folder/runs.sqlite"
$(q "$binary") run --study "\$study" --shard "\$SLURM_ARRAY_TASK_ID/$shards" --threads "\${SLURM_CPUS_PER_TASK:-$cpus}" \\
  --store "\$store_folder/runs.sqlite" --output $(q "$output/parts")
# The part holds every run of the shard: the store is no longer needed.
rm -rf "\$store_folder"
EOF
} >"$output/shard.sbatch"

{
  echo "#!/bin/bash"
  echo "# Written by scripts/slurm/submit.sh: merges the $shards parts of $(q "$study") once every shard has succeeded."
  echo "#SBATCH --job-name=$(q "$job_name-merge")"
  echo "#SBATCH --cpus-per-task=$cpus"
  echo "#SBATCH --output=$(q "$output/logs/merge-%j.out")"
  echo "set -euo pipefail"
  printf '%q merge %q/results.part-*-of-%s.json --output %q' "$binary" "$output/parts" "$shards" "$output/output"
  [ ${#merge_options[@]} -eq 0 ] || printf ' %q' "${merge_options[@]}"
  echo
} >"$output/merge.sbatch"

common=()
[ -z "$partition" ] || common+=("--partition=$partition")
[ -z "$account" ] || common+=("--account=$account")
common+=("${sbatch_options[@]}")

if [ "$dry_run" -eq 1 ]; then
  echo "Wrote $output/shard.sbatch and $output/merge.sbatch; would run:"
  printf 'sbatch --parsable'; printf ' %q' "${common[@]}" "$output/shard.sbatch"; echo
  printf 'sbatch --parsable --dependency=afterok:ARRAY_JOB_ID'; printf ' %q' "${common[@]}" "$output/merge.sbatch"; echo
  exit 0
fi

if ! array_id=$(sbatch --parsable "${common[@]}" "$output/shard.sbatch"); then
  # Nothing was queued: remove what this script wrote, so that the same command can be run again.
  rm -f "$output/shard.sbatch" "$output/merge.sbatch"
  rmdir "$output/logs" "$output/parts"
  [ "$created_output" -eq 0 ] || rmdir "$output"
  echo "submit.sh: error: sbatch refused the shards' job array (its message above); nothing was submitted" >&2
  exit 1
fi
array_id=${array_id%%;*}
merge_id=$(sbatch --parsable --dependency="afterok:$array_id" "${common[@]}" "$output/merge.sbatch") ||
  { echo "submit.sh: error: sbatch refused the merge job (the shards are queued as job $array_id: scancel $array_id)" >&2; exit 1; }
merge_id=${merge_id%%;*}
echo "Shards: job array $array_id (tasks 1-$shards), logs in $output/logs"
echo "Merge: job $merge_id, after every shard has succeeded, into $output/output"
