#!/usr/bin/env bash
# Opens an HTML report in Debian's headless Chromium, as a reader's browser would, and prints it:
#   scripts/browser_check.sh REPORT.html OUTDIR
# writes OUTDIR/report.png (the whole page, 1280 px wide) and OUTDIR/report.pdf, and fails, with one
# line per problem, on any console error (a script error, console.error, a resource that did not
# load), any image that did not load (naturalWidth 0) or horizontal overflow at 1280 px (the
# document's scrollWidth above its clientWidth). The page is checked in a copy with a small check
# script added at the top of its <head>: it records errors from the start, and once the page has
# loaded writes its verdict into the DOM, which --dump-dom prints. Needs Debian's `chromium`.
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 REPORT.html OUTDIR" >&2; exit 2; fi
report=$1 out=$2
if [ ! -f "$report" ]; then echo "$0: '$report' is not a file" >&2; exit 2; fi
command -v chromium >/dev/null || { echo "$0: chromium is missing (apt-get install -y chromium)" >&2; exit 2; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
width=1280

# The check script, put first in <head> so that it hears every error of the page.
cat >"$work/check.html" <<'SCRIPT'
<script>
(function () {
  var problems = [];
  window.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target !== window && target.tagName) {
      problems.push("a " + target.tagName.toLowerCase() + " did not load: " + String(target.src || target.href || "").slice(0, 80));
    } else {
      problems.push("script error: " + event.message);
    }
  }, true);
  var consoleError = console.error;
  console.error = function () {
    problems.push("console error: " + Array.prototype.join.call(arguments, " "));
    consoleError.apply(console, arguments);
  };
  window.addEventListener("load", function () {
    Array.prototype.forEach.call(document.images, function (image, index) {
      if (!image.complete || image.naturalWidth === 0) {
        problems.push("image " + (index + 1) + " did not load (" + (image.alt || "no alt text").slice(0, 60) + ")");
      }
    });
    var root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
      problems.push("horizontal overflow: the page is " + root.scrollWidth + " px wide in a " + root.clientWidth + " px window");
    }
    var verdict = document.createElement("pre");
    verdict.id = "browser-check-verdict";
    verdict.textContent = "images " + document.images.length + "\nheight " + root.scrollHeight + "\n"
      + problems.map(function (problem) { return "problem " + problem.replace(/\s+/g, " "); }).join("\n");
    document.body.appendChild(verdict);
  });
})();
</script>
SCRIPT
python3 - "$report" "$work/check.html" "$work/page.html" <<'PY'
import sys
report, check, page = sys.argv[1:]
text = open(report, encoding="utf-8").read()
at = text.find("<head>")
if at < 0:
    sys.exit(f"{report}: no <head> to put the check script in")
at += len("<head>")
open(page, "w", encoding="utf-8").write(text[:at] + open(check, encoding="utf-8").read() + text[at:])
PY

sandbox=()
if [ "$(id -u)" = 0 ]; then sandbox=(--no-sandbox); fi
browser() {
  chromium --headless "${sandbox[@]}" --disable-gpu --no-first-run --no-default-browser-check \
    --user-data-dir="$work/profile" --hide-scrollbars --force-device-scale-factor=1 "$@"
}

browser --window-size=$width,900 --virtual-time-budget=10000 --enable-logging=stderr --v=0 \
  --dump-dom "file://$work/page.html" >"$work/dom.html" 2>"$work/console.log" || true
verdict=$(python3 - "$work/dom.html" <<'PY'
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8", errors="replace").read()
match = re.search(r'<pre id="browser-check-verdict">(.*?)</pre>', dom, re.S)
print(html.unescape(match.group(1)) if match else "problem the page did not finish loading (no verdict in the DOM)")
PY
)
problems=$(grep '^problem ' <<<"$verdict" | sed 's/^problem //' || true)
# Console messages at error level that the page's own hooks could not see (e.g. blocked requests).
console=$(grep -E ':(ERROR|FATAL):CONSOLE|CONSOLE\([0-9]+\)\] "(Uncaught|Failed|Refused)' "$work/console.log" | sed -E 's/^\[[^]]*\] //' || true)
height=$(sed -n 's/^height //p' <<<"$verdict")
images=$(sed -n 's/^images //p' <<<"$verdict")
height=${height:-900}
if [ "$height" -gt 30000 ]; then height=30000; fi

browser --window-size=$width,"$height" --virtual-time-budget=10000 --screenshot="$out/report.png" "file://$(realpath "$report")" 2>/dev/null
browser --virtual-time-budget=10000 --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "file://$(realpath "$report")" 2>/dev/null
for file in "$out/report.png" "$out/report.pdf"; do
  [ -s "$file" ] || problems+=$'\n'"chromium wrote no $(basename "$file")"
done

failed=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  echo "$report: $line" >&2
  failed=1
done <<<"$problems"$'\n'"$console"
if [ "$failed" = 1 ]; then exit 1; fi
echo "$report: no console error, all ${images:-0} images loaded, no horizontal overflow at $width px; wrote $out/report.png ($width x $height) and $out/report.pdf"
