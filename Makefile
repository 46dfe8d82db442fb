# The two commands of the README's quick start, plus the pieces they are made of.
#   make report   installs what is missing, then runs the reference study into output/
#   make test     installs what is missing, then runs the test suite

# Debian packages the build needs beyond the Swift toolchain: Cairo, HarfBuzz, fontconfig and a font.
SYSTEM_PACKAGES := pkg-config libcairo2-dev libharfbuzz-dev libfontconfig-dev fonts-dejavu-core

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: report test validate system-packages

report: system-packages
	swift run make-report

test: system-packages
	swift test

validate: system-packages
	swift run make-report validate output

# Installs whichever of SYSTEM_PACKAGES are not installed yet (nothing when all are).
system-packages:
	@command -v swift >/dev/null || { echo "error: the Swift 6 toolchain is required (https://swift.org/install)"; exit 1; }
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
