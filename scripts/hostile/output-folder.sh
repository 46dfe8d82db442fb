# Section 1 of issue 19: data the tool must never destroy.

# `git init r && cd r && make-report --output .`: a folder of hidden files is not empty, and not ours.
case_git_repository_as_output() {
  git init -q r && cd r && echo "x" >.gitignore
  local before; before=$(snapshot .)
  mr --output . --seeds 1 --fractions 0 --widths 8 --epochs 1 --no-store
  refused "'\.git'" && unchanged . "$before"
}
hostile_case git-repository-as-output case_git_repository_as_output
