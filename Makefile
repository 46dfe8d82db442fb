# The two commands of the README's quick start, plus the pieces they are made of.
#   make report   installs what is missing, then runs the reference study into output/
#   make test     installs what is missing, then runs the test suite
#   make paper    compiles output/report.tex into output/report.pdf and checks that every example's compiles, with no box overfull by more than 1 pt (installs TeX if missing)
#   make browser-check  opens every report.html, and a long-label study's, in headless Chromium (installs it if
#                 missing), prints it to PNG and PDF
#   make bench    measures speed and scaling in a release build, writes benchmarks/results.md
#   make bench-peers  optional, not in CI: the same training in JAX (vmap + jit, compile excluded) in a venv it makes
#                 under .build-peers/ (pinned jax[cpu] and numpy), alternating with make-report's on the same 2 cores;
#                 prints the GFLOP/s of both and their ratios for benchmarks/results.md's "Peers" section
#   make fuzz     runs libFuzzer on the parsers of user files, FUZZ_SECONDS (30) each
#   make slurm-check  starts a single-node Slurm cluster (as root; installs Slurm and munge if missing), runs a sweep on it, stops it
#   make install  installs a release build of make-report, the Swift runtime linked in, as $(PREFIX)/bin/make-report (PREFIX=/usr/local)

# Debian packages the build needs beyond the Swift toolchain: Cairo, HarfBuzz, fontconfig, a font, zlib (PNG) and SQLite (GRDB).
SYSTEM_PACKAGES := pkg-config libcairo2-dev libharfbuzz-dev libfontconfig-dev fonts-dejavu-core zlib1g-dev libsqlite3-dev

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages of the TeX installation that compiles report.tex.
TEX_PACKAGES := texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern

# Debian packages of the single-node Slurm cluster that scripts/slurm/ci_test.sh starts (without systemd).
SLURM_PACKAGES := slurmctld slurmd slurm-client munge

PREFIX ?= /usr/local

# The make-report binary that slurm-check and browser-check run, and how they bring it up to date: the
# release build by default; CI passes BINARY=.build/debug/make-report BUILD=true, the build its tests
# just made (BUILD=true spares SwiftPM's check of every source and object).
BINARY ?= .build/release/make-report
BUILD ?= swift build -c release --product make-report

.PHONY: report test validate check paper browser-check bench bench-peers fuzz slurm-check install system-packages

report: system-packages
	swift run make-report

test: system-packages
	swift test

validate: system-packages
	swift run make-report validate output

check: system-packages
	swift run make-report check

# The binary is run directly: under `swift run`, the child's peak-memory figure would include SwiftPM's.
bench: system-packages
	swift build -c release --product make-report
	.build/release/make-report bench

# make-report's training against JAX's on issue 26's three workloads (scripts/bench_peers.py, whose header
# says how the two differ); BENCH_PEERS_ARGS passes options (--rounds N, --skip-check).
bench-peers: system-packages
	swift build -c release --product make-report
	scripts/bench_peers.sh $(BENCH_PEERS_ARGS)

# libFuzzer on every parser of user files, from the committed corpus in fuzz/corpus (scripts/fuzz.sh).
fuzz: system-packages
	scripts/fuzz.sh

# A sweep on a real Slurm cluster of one node, started and stopped by scripts/slurm/ci_test.sh (needs
# root): 4 shards and a merge by scripts/slurm/submit.sh, one shard cancelled and requeued halfway,
# which must resume from its run store, and a merged results.json identical to one machine's.
slurm-check:
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(SYSTEM_PACKAGES) $(SLURM_PACKAGES)"
	$(BUILD)
	scripts/slurm/ci_test.sh $(BINARY)

# The installed binary runs from anywhere: the report templates are compiled into it, and it carries the
# Swift runtime and Foundation (--static-swift-stdlib), so it runs without
# the toolchain (only the Debian libraries of SYSTEM_PACKAGES: Cairo, HarfBuzz, fontconfig, SQLite, zlib),
# and starts sooner (issue 26: `--version` 0.015 s against 0.025 s, idle; 0.010 against 0.029 under load).
# Stripped of its symbol table: 71 MB, not 116. Its own build folder, .build-static, since switching
# that flag in .build/ would rebuild every module.
install: system-packages
	swift build -c release --product make-report --static-swift-stdlib --scratch-path .build-static
	install -d "$(PREFIX)/bin"
	install -s -m 755 .build-static/release/make-report "$(PREFIX)/bin/make-report"
	@echo "Installed $(PREFIX)/bin/make-report"

# Compiles output/report.tex and every examples/*/output/report.tex (scripts/paper.sh, two at a
# time, by scripts/each.sh), each in a scratch copy of its folder so that no LaTeX by-products land
# beside it; copies only output/report.pdf back, and fails, after all have run, naming every report
# that does not compile, with its LaTeX error, or that has a line or page overfull by more than 1 pt (a
# table or text running into the margin or off the page), with LaTeX's warnings (its scratch folder
# kept for the log).
paper:
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(TEX_PACKAGES)"
	@scripts/each.sh scripts/paper.sh -- output/report.tex examples/*/output/report.tex

# Opens output/report.html and every example's as a reader's browser would (scripts/browser_check.sh,
# two at a time, by scripts/each.sh): prints each to PNG (1280 px wide) and PDF in a folder of
# BROWSER_CHECK_DIR named after it (a new temporary folder unless given; never output/, which holds
# only make-report's files), and fails on a console error, an image that did not load, horizontal
# overflow at 1280 px or a table wider than its box, on screen or in print. It also runs
# scripts/browser-check/long-labels.yaml (a few seconds, with BINARY) into
# BROWSER_CHECK_DIR/long-labels-study and checks its report the same way: user data's class labels
# of 26 characters, which no committed example has. BROWSER_CHECK_PRINTS=no makes the checks without
# the PNG and PDF prints (a quarter of the time).
browser-check:
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="chromium"
	@$(BUILD) 2>&1 | tail -n 1
	@dir="$${BROWSER_CHECK_DIR:-$$(mktemp -d)}"; failed=0; \
	$(BINARY) run --study scripts/browser-check/long-labels.yaml --output "$$dir/long-labels-study" \
	  --no-store --quiet || failed=1; \
	scripts/each.sh bash -c 'case "$$2" in "$$1"/*) name=long-labels;; *) name=$$(dirname "$$2" | tr / -);; esac; \
	  exec scripts/browser_check.sh "$$2" "$$1/$$name"' browser-check "$$dir" \
	  -- output/report.html examples/*/output/report.html "$$dir/long-labels-study/report.html" || failed=1; \
	exit $$failed

# Installs whichever of SYSTEM_PACKAGES are not installed yet (nothing when all are).
system-packages:
	@command -v swift >/dev/null || { echo "error: the Swift 6 toolchain is required (https://swift.org/install)"; exit 1; }
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
