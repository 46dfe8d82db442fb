#!/usr/bin/env bash
# Compiles one report.tex (called by `make paper` for output/report.tex and every example's) in a
# scratch copy of its folder, so that no LaTeX by-products land beside it, with pdflatex twice (the
# second pass resolves the cross-references and the table of contents the first wrote), and fails,
# with LaTeX's error, when it does not compile, or, with LaTeX's warnings, when a line or page is
# overfull by more than 1 pt (a table or text running into the margin or off the page); the scratch
# folder is kept for the log after a failure. Copies only output/report.pdf back.
#   scripts/paper.sh FOLDER/report.tex
set -uo pipefail
report=$1
folder=$(dirname "$report")
scratch=$(mktemp -d)
cp -r "$folder/." "$scratch"
if ! (cd "$scratch" && pdflatex -interaction=nonstopmode -halt-on-error report.tex >/dev/null &&
      pdflatex -interaction=nonstopmode -halt-on-error report.tex >/dev/null); then
  echo "error: $report does not compile (log: $scratch/report.log)"
  grep -A3 '^!' "$scratch/report.log"
  exit 1
fi
if ! awk '/^Overfull \\[hv]box \(/ { size = $3; sub(/^\(/, "", size); sub(/pt$/, "", size); if (size + 0 > 1) { print; bad = 1 } }
          END { exit bad }' "$scratch/report.log"; then
  echo "error: $report has overfull boxes beyond 1 pt (log: $scratch/report.log)"
  exit 1
fi
if [ "$folder" = output ]; then
  cp "$scratch/report.pdf" output/report.pdf && echo "Wrote output/report.pdf"
else
  echo "Compiled $report"
fi
rm -rf "$scratch"
