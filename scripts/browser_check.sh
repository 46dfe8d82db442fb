#!/usr/bin/env bash
# Opens an HTML report in Debian's headless Chromium, as a reader's browser would, and prints it:
#   scripts/browser_check.sh REPORT.html OUTDIR
# writes OUTDIR/report.png (the whole page, 1280 px wide; report-1.png, report-2.png, ... for a page
# taller than 30,000 px, each 30,000 px of it) and OUTDIR/report.pdf, and fails, with one
# line per problem, on any console error (a script error, console.error, a resource that did not
# load), any image that did not load (naturalWidth 0), horizontal overflow at 1280 px (the
# document's scrollWidth above its clientWidth) or a table wider than its box: on screen at 1280 px
# (the table's box scrolls, hiding columns) and in print (the printed page cuts the columns off).
# The print layout is checked on screen, in a copy whose `@media print` rules apply to every medium,
# in a window as wide as an A4 page (the narrower of A4 and Letter) less the page's `@page` margins.
# Each copy has a small check script added at the top of its <head>: it records errors from the
# start, and once the page has loaded writes its verdict into the DOM, which --dump-dom prints.
# With BROWSER_CHECK_PRINTS=no it makes the checks only and writes neither PNG nor PDF (CI: the
# prints take some three quarters of the time, 57 of 76 s for examples/defenses, and no one looks
# at them there). Needs Debian's `chromium`.
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 REPORT.html OUTDIR" >&2; exit 2; fi
report=$1 out=$2
if [ ! -f "$report" ]; then echo "$0: '$report' is not a file" >&2; exit 2; fi
command -v chromium >/dev/null || { echo "$0: chromium is missing (apt-get install -y chromium)" >&2; exit 2; }
mkdir -p "$out"
work=$(mktemp -d)
trap '[ -n "${BROWSER_CHECK_KEEP:-}" ] || rm -rf "$work"' EXIT
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
    var root = document.documentElement, layout = "__LAYOUT__";
    if (root.scrollWidth > root.clientWidth) {
      problems.push("horizontal overflow " + layout + ": the page is " + root.scrollWidth + " px wide in a " + root.clientWidth + " px window");
    }
    // Every table must fit its box: the box may not scroll (hiding columns) and the table may not
    // stick out of it (cut off in print, where the box does not scroll).
    Array.prototype.forEach.call(document.querySelectorAll("table"), function (table, index) {
      var box = table.parentElement, heading = null;
      for (var node = table; node && !heading; node = node.previousElementSibling || node.parentElement) {
        if (/^H[1-6]$/.test(node.tagName)) { heading = node.textContent.trim(); }
      }
      // Widths are rounded to whole pixels, the table's fractional one may exceed its box's by one.
      var width = Math.round(table.getBoundingClientRect().width);
      if (box.scrollWidth > box.clientWidth + 1 || width > box.clientWidth + 1) {
        problems.push("table " + (index + 1) + " (under \"" + (heading || "no heading").slice(0, 60) + "\") is " + width
          + " px wide in a " + box.clientWidth + " px box " + layout);
      }
    });
    var verdict = document.createElement("pre");
    verdict.id = "browser-check-verdict";
    verdict.textContent = "images " + document.images.length + "\nheight " + root.scrollHeight + "\n"
      + problems.map(function (problem) { return "problem " + problem.replace(/\s+/g, " "); }).join("\n");
    document.body.appendChild(verdict);
  });
})();
</script>
SCRIPT
# Two copies: the page as it is (checked at $width px) and its print layout on screen (its `@media
# print` rules applied to every medium), whose window width this prints: an A4 page less the margins.
print_width=$(python3 - "$report" "$work/check.html" "$work/page.html" "$work/print.html" "$width" <<'PY'
import re, sys
report, check, page, printed, width = sys.argv[1:]
text = open(report, encoding="utf-8").read()
if "<head>" not in text:
    sys.exit(f"{report}: no <head> to put the check script in")
script = open(check, encoding="utf-8").read()
def copy(path, source, layout):
    head, rest = source.split("<head>", 1)
    open(path, "w", encoding="utf-8").write(head + "<head>" + script.replace("__LAYOUT__", layout) + rest)
copy(page, text, f"at {width} px on screen")
as_printed = text.replace("@media print", "@media all")
margin = re.search(r"@page\s*\{[^}]*margin:\s*([\d.]+)(cm|mm|in|pt|px)", text)
pixels = {"cm": 96 / 2.54, "mm": 96 / 25.4, "in": 96, "pt": 96 / 72, "px": 1}
page_width = 210 * pixels["mm"]
content = page_width - 2 * (float(margin.group(1)) * pixels[margin.group(2)] if margin else 0)
copy(printed, as_printed, f"in print (an A4 page, {round(content)} px between its margins)")
print(int(content))
PY
)

sandbox=()
if [ "$(id -u)" = 0 ]; then sandbox=(--no-sandbox); fi
browser() {
  chromium --headless "${sandbox[@]}" --disable-gpu --no-first-run --no-default-browser-check \
    --user-data-dir="$work/profile" --hide-scrollbars --force-device-scale-factor=1 "$@"
}

# The page's verdict (its console errors, images and overflow) and the print layout's (its overflow).
check() { # WINDOW-WIDTH PAGE NAME: the verdict's lines; the DOM and console log in $work/NAME.dom and .log
  browser --window-size="$1",900 --virtual-time-budget=10000 --enable-logging=stderr --v=0 \
    --dump-dom "file://$2" >"$work/$3.dom" 2>"$work/$3.log" || true
  python3 - "$work/$3.dom" <<'PY'
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8", errors="replace").read()
match = re.search(r'<pre id="browser-check-verdict">(.*?)</pre>', dom, re.S)
print(html.unescape(match.group(1)) if match else "problem the page did not finish loading (no verdict in the DOM)")
PY
}
verdict=$(check $width "$work/page.html" screen)
print_verdict=$(check "$print_width" "$work/print.html" print)
problems=$(grep -h '^problem ' <<<"$verdict"$'\n'"$print_verdict" | sed 's/^problem //' | sort -u || true)
# Console messages at error level that the page's own hooks could not see (e.g. blocked requests).
console=$(grep -E ':(ERROR|FATAL):CONSOLE|CONSOLE\([0-9]+\)\] "(Uncaught|Failed|Refused)' "$work/screen.log" | sed -E 's/^\[[^]]*\] //' || true)
height=$(sed -n 's/^height //p' <<<"$verdict")
images=$(sed -n 's/^images //p' <<<"$verdict")
height=${height:-900}

# The whole page as PNGs of at most 30,000 px each (Chromium's screenshots stop there): report.png when
# it fits in one, else report-1.png, report-2.png, ..., each of a copy of the page moved up by the part
# above it (its body translated by that offset, in a window as tall as what is left, up to 30,000 px).
slice=30000
parts=$(( (height + slice - 1) / slice ))
printing=true
if [ "${BROWSER_CHECK_PRINTS:-yes}" = no ]; then printing=false parts=0; fi
rm -f "$out"/report.png "$out"/report-[0-9]*.png
shots=()
for ((part = 0; part < parts; part++)); do
  offset=$((part * slice)) shot="$out/report.png"
  if [ "$parts" -gt 1 ]; then shot="$out/report-$((part + 1)).png"; fi
  tall=$((height - offset)); if [ "$tall" -gt "$slice" ]; then tall=$slice; fi
  page="$(realpath "$report")"
  if [ "$offset" -gt 0 ]; then
    page="$work/shot-$part.html"
    python3 - "$report" "$page" "$offset" <<'PY'
import sys
report, page, offset = sys.argv[1:]
text = open(report, encoding="utf-8").read()
style = f"<style>body {{ transform: translateY(-{offset}px); }}</style>"
open(page, "w", encoding="utf-8").write(text.replace("</head>", style + "</head>", 1))
PY
  fi
  browser --window-size=$width,"$tall" --virtual-time-budget=10000 --screenshot="$shot" "file://$page" 2>/dev/null
  shots+=("$shot")
done
prints=("${shots[@]}")
if $printing; then
  browser --virtual-time-budget=10000 --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "file://$(realpath "$report")" 2>/dev/null
  prints+=("$out/report.pdf")
fi
for file in "${prints[@]}"; do
  [ -s "$file" ] || problems+=$'\n'"chromium wrote no $(basename "$file")"
done

failed=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  echo "$report: $line" >&2
  failed=1
done <<<"$problems"$'\n'"$console"
if [ "$failed" = 1 ]; then exit 1; fi
checked="$report: no console error, all ${images:-0} images loaded, no horizontal overflow at $width px, every table fits its box on screen and in print"
if ! $printing; then
  echo "$checked (BROWSER_CHECK_PRINTS=no: no PNG or PDF written)"
else
  echo "$checked; wrote ${shots[*]} ($width x $height in all) and $out/report.pdf"
fi
